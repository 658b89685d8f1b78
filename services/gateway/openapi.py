"""The OpenAPI 3 document of the gateway, generated from the same bindings it serves.

`python -m services.gateway.openapi` writes docs/openapi.json;
`--check` fails when the committed one is stale (`make lint` runs it).
"""

import json
import sys
from pathlib import Path

from google.protobuf.descriptor import Descriptor

from services.gateway.errors import HTTP_STATUS
from services.gateway.fields import is_scalar
from services.gateway.rules import Binding, field_at
from services.gateway.schemas import Schemas

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
ERROR_STATUSES = sorted({str(s) for s in HTTP_STATUS.values() if s != 200} | {"405", "413"})
_STATUS_SCHEMA = {"type": "object", "properties": {
    "code": {"type": "integer", "format": "int32", "description": "The google.rpc.Code number."},
    "message": {"type": "string"},
    "details": {"type": "array", "items": {"type": "object", "properties": {"@type": {"type": "string"}}, "additionalProperties": True}},
}}  # fmt: skip
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait, from the google.rpc.RetryInfo detail.", "schema": {"type": "integer"}}}
_ALLOW = {"Allow": {"description": "The methods the path takes.", "schema": {"type": "string"}}}


def document(bindings: list[Binding]) -> dict:
    schemas, paths = Schemas(), {}
    for binding in bindings:
        path = _openapi_path(binding)
        paths.setdefault(path, {})[binding.http_method.lower()] = _operation(binding, schemas, path)
    paths["/openapi.json"] = {"get": {"operationId": "OpenApi", "summary": "This document.", "responses": {
        "200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}}}}}  # fmt: skip
    components = {**dict(sorted(schemas.components.items())), "google.rpc.Status": _STATUS_SCHEMA}
    return {"openapi": "3.0.3", "info": {"title": "Chirp mesh REST API", "version": "v1",
            "description": "Transcoded to gRPC from the contracts' google.api.http rules; JSON per protobuf's JSON mapping."},
            "paths": paths, "components": {"schemas": components}}  # fmt: skip


def rendered(bindings: list[Binding]) -> bytes:
    return (json.dumps(document(bindings), indent=2) + "\n").encode()


def _openapi_path(binding: Binding) -> str:
    path = binding.template.source
    for variable in binding.template.variables:
        start = path.index("{" + variable.field_path)
        path = path[:start] + "{" + variable.field_path + "}" + path[path.index("}", start) + 1 :]
    return path


def _operation(binding: Binding, schemas: Schemas, path: str) -> dict:
    request = binding.method.input_type
    bound = {v.field_path for v in binding.template.variables}
    parameters = [_path_parameter(binding, v.field_path, schemas) for v in binding.template.variables]
    if not binding.body:
        parameters += _query_parameters(request, bound, "", schemas, depth=0)
    operation = {"operationId": f"{binding.method.containing_service.name}_{binding.method.name}", "tags": [binding.method.containing_service.name],
                 "parameters": parameters, "responses": _responses(binding, schemas)}  # fmt: skip
    if binding.body == "*":
        body_schema = schemas.message(request, frozenset(p.split(".")[0] for p in bound))
    elif binding.body:
        body_schema = schemas.field(request.fields_by_name[binding.body])
    if binding.body:
        operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": body_schema}}}
    return operation


def _path_parameter(binding: Binding, field_path: str, schemas: Schemas) -> dict:
    schema = schemas.single(field_at(binding.method.input_type, field_path))
    return {"name": field_path, "in": "path", "required": True, "schema": schema}


def _query_parameters(message: Descriptor, bound: set[str], prefix: str, schemas: Schemas, depth: int) -> list[dict]:
    found = []
    for field in message.fields:
        proto_path = f"{prefix}{field.name}"
        if proto_path in bound or (field.message_type is not None and field.message_type.GetOptions().map_entry):
            continue
        if is_scalar(field):
            found.append({"name": proto_path, "in": "query", "required": False, "schema": schemas.field(field)})
        elif not field.is_repeated and depth < 3:
            found += _query_parameters(field.message_type, bound, f"{proto_path}.", schemas, depth + 1)
    return found


def _responses(binding: Binding, schemas: Schemas) -> dict:
    output = binding.method.output_type
    success = schemas.field(output.fields_by_name[binding.response_body]) if binding.response_body else schemas.message(output)
    responses = {"200": {"description": "OK", "content": {"application/json": {"schema": success}}}}
    for status in ERROR_STATUSES:
        headers = _RETRY_AFTER if status == "429" else _ALLOW if status == "405" else {}
        responses[status] = {"description": "A google.rpc.Status.", "headers": headers,
                             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/google.rpc.Status"}}}}  # fmt: skip
    return responses


def main() -> None:
    from services.gateway.catalog import all_bindings

    fresh = rendered(all_bindings())
    if "--check" in sys.argv[1:]:
        if not COMMITTED.exists() or COMMITTED.read_bytes() != fresh:
            sys.exit(f"{COMMITTED.relative_to(COMMITTED.parents[1])} is stale: run 'make openapi' and commit the result")
        print("docs/openapi.json: matches the contracts' http rules")
        return
    COMMITTED.write_bytes(fresh)
    print(f"wrote {COMMITTED}")


if __name__ == "__main__":
    main()
