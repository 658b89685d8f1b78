"""The REST/JSON edge: HTTP requests transcoded to gRPC calls from the contracts' google.api.http rules."""
