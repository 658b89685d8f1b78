"""The OpenAPI document describes exactly the gateway's bindings, and the committed copy is checked for staleness."""

import json
import sys

import pytest

from services.gateway import openapi
from services.gateway.catalog import all_bindings
from services.gateway.openapi import document, rendered
from tests.unit.gateway_contract import shelf_bindings

DOC = document(all_bindings())


def test_every_binding_is_one_operation_and_nothing_else_is():
    operations = {(method.upper(), path) for path, item in DOC["paths"].items() for method in item}
    bound = {(b.http_method, openapi._openapi_path(b)) for b in all_bindings()}
    assert operations == bound | {("GET", "/openapi.json")}


def test_ids_are_strings_of_digits_and_errors_are_statuses():
    user = DOC["components"]["schemas"]["chirp.graph.v1.User"]["properties"]
    assert user["userId"] == {"type": "string", "format": "uint64", "pattern": "^[0-9]+$", "readOnly": True}
    responses = DOC["paths"]["/v1/users/{user_id}"]["get"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/chirp.graph.v1.User"}
    assert {"400", "401", "403", "404", "405", "409", "413", "429", "503", "504"} <= set(responses)
    assert "Retry-After" in responses["429"]["headers"] and "Allow" in responses["405"]["headers"]


def test_query_parameters_are_the_fields_neither_path_nor_body_sets():
    parameters = DOC["paths"]["/v1/users/{user_id}/followers"]["get"]["parameters"]
    assert [(p["name"], p["in"]) for p in parameters] == [("user_id", "path"), ("page_size", "query"), ("page_token", "query")]
    list_books = document(shelf_bindings()["ListBooks"])["paths"]["/v1/{name}/books"]["get"]["parameters"]
    names = [p["name"] for p in list_books]
    assert "filter.since_time" in names and "filter.tags" in names and "name" in names and "book.title" in names
    assert DOC["paths"]["/v1/users/{user_id}:follow"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"] == {}


def test_check_fails_on_a_stale_committed_document(tmp_path, monkeypatch):
    stale = tmp_path / "openapi.json"
    stale.write_text(json.dumps({"openapi": "3.0.3"}))
    monkeypatch.setattr(openapi, "COMMITTED", stale)
    monkeypatch.setattr(sys, "argv", ["openapi", "--check"])
    with pytest.raises(SystemExit, match="is stale"):
        openapi.main()
    monkeypatch.setattr(sys, "argv", ["openapi"])
    openapi.main()
    assert stale.read_bytes() == rendered(all_bindings())
