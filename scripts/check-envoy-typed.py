"""Parses Envoy configs into Envoy's typed Bootstrap (xds-protos): a misspelt field or an unknown filter type fails.

    .venv-envoy/bin/python scripts/check-envoy-typed.py CONFIG.yaml...

Runs in .venv-envoy (scripts/ensure-tools.sh), apart from the mesh's packages. Prints each failure; exits 1 on any.
"""

import sys

import yaml
from envoy.config.bootstrap.v3 import bootstrap_pb2
from envoy.extensions.filters.http.grpc_json_transcoder.v3 import transcoder_pb2  # noqa: F401  (the Any types the configs name)
from envoy.extensions.filters.http.router.v3 import router_pb2  # noqa: F401
from envoy.extensions.filters.network.http_connection_manager.v3 import http_connection_manager_pb2  # noqa: F401
from envoy.extensions.upstreams.http.v3 import http_protocol_options_pb2  # noqa: F401
from google.protobuf import json_format


def main(paths: list[str]) -> int:
    failed = 0
    for path in paths:
        try:
            with open(path) as config:
                json_format.ParseDict(yaml.safe_load(config), bootstrap_pb2.Bootstrap())
        except json_format.ParseError as error:
            print(f"{path}: {error}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
