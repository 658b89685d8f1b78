"""An HTTP request into a gRPC request message, and a gRPC response into JSON, for one binding.

As grpc-gateway does: path variables are set last and win over the body;
`body: "*"` fills the request from the JSON object (query parameters are
then refused, since no field is left for them); `body: "field"` fills
that field; every field not bound by the path or the body may come from
the query. JSON follows protobuf's mapping: lowerCamelCase names out, both
names in, unknown body fields ignored, 64-bit integers as strings, fields
without presence always written.
"""

import json
from collections.abc import Iterable

import orjson
from google.protobuf import json_format, message_factory
from google.protobuf.message import Message

from services.gateway.fields import FieldError, resolve, set_text
from services.gateway.render import to_json_object
from services.gateway.rules import Binding


class BadRequest(ValueError):
    """The request does not fit the method: answered 400 INVALID_ARGUMENT."""


def request_class(binding: Binding) -> type[Message]:
    return message_factory.GetMessageClass(binding.method.input_type)


def response_class(binding: Binding) -> type[Message]:
    return message_factory.GetMessageClass(binding.method.output_type)


def build_request(binding: Binding, path_values: dict[str, str], query: Iterable[tuple[str, str]], body: bytes) -> Message:
    descriptor = binding.method.input_type
    values = _body_values(binding, body)
    try:
        for key, text in query:
            fields = resolve(descriptor, key)
            if _is_bound(binding, [f.name for f in fields]):
                raise FieldError(f"query parameter {key!r} sets a field the path or the body already sets")
            set_text(values, fields, text, repeated_ok=True)
        for field_path, text in path_values.items():
            set_text(values, resolve(descriptor, field_path), text, repeated_ok=False)
    except FieldError as error:
        raise BadRequest(str(error)) from None
    message = request_class(binding)()
    try:
        json_format.ParseDict(values, message, ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError) as error:
        raise BadRequest(str(error)) from None
    return message


def render_response(binding: Binding, response: Message) -> bytes:
    if binding.response_body:
        field = binding.method.output_type.fields_by_name[binding.response_body]
        if field.message_type is not None and not field.is_repeated:
            whole = to_json_object(getattr(response, binding.response_body))
        else:
            whole = to_json_object(response)[field.json_name]
    else:
        whole = to_json_object(response)
    return orjson.dumps(whole)  # json.dumps(separators=(",", ":"), ensure_ascii=False)'s bytes (tests/unit/test_gateway_render.py), in C


def _body_values(binding: Binding, body: bytes) -> dict:
    if not binding.body:
        if body.strip():
            raise BadRequest(f"{binding.http_method} {binding.template.source} takes no body")
        return {}
    try:
        parsed = json.loads(body) if body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest(f"the body is not valid JSON: {error}") from None
    if binding.body == "*":
        if not isinstance(parsed, dict):
            raise BadRequest("the body must be a JSON object")
        return parsed
    return {binding.body: parsed}


def _is_bound(binding: Binding, names: list[str]) -> bool:
    if binding.body == "*" or (binding.body and names[0] == binding.body):
        return True
    for variable in binding.template.variables:
        bound = variable.field_path.split(".")
        if names[: len(bound)] == bound or bound[: len(names)] == names:
            return True
    return False

