"""Request fields set from text (path variables and query parameters), as grpc-gateway sets them.

A query parameter names a field by its dotted path, each step by its proto
name or its lowerCamelCase JSON name (`page_size` or `pageSize`,
`filter.since_time`); a repeated field takes the parameter once per value
(`user_ids=1&user_ids=2`). Values are the JSON mapping's strings: numbers
(64-bit ones too), `true`/`false`, enum names or numbers, RFC 3339 times,
durations like `1.5s`. The values land in a dict of proto names that
json_format parses into the request, so a wrong type fails there, once.
"""

from google.protobuf.descriptor import Descriptor, FieldDescriptor

# Messages whose JSON form is one string or number: a query value may set them whole.
SCALAR_MESSAGES = {
    "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask",
    *(f"google.protobuf.{kind}Value" for kind in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")),
}  # fmt: skip
_BOOLS = {"true": True, "false": False, "1": True, "0": False}


class FieldError(ValueError):
    """A parameter that names no settable field, or a value that does not fit."""


def resolve(message: Descriptor, dotted: str) -> list[FieldDescriptor]:
    """The fields along a dotted path of proto or JSON names."""
    path = []
    for name in dotted.split("."):
        field = _field_named(message, name) if message is not None else None
        if field is None or (path and path[-1].is_repeated):
            raise FieldError(f"{dotted!r} names no field of {_root_name(message, path)}")
        path.append(field)
        message = field.message_type
    return path


def is_scalar(field: FieldDescriptor) -> bool:
    return field.message_type is None or field.message_type.full_name in SCALAR_MESSAGES


def set_text(target: dict, path: list[FieldDescriptor], text: str, repeated_ok: bool) -> None:
    """Puts one text value at `path` in a dict of proto names, converted for json_format."""
    *parents, leaf = path
    for field in parents:
        target = target.setdefault(field.name, {})
        if not isinstance(target, dict):
            raise FieldError(f"{field.name!r} is set twice")
    value = _converted(leaf, text)
    name = leaf.name
    if leaf.json_name != name:
        target.pop(leaf.json_name, None)  # the path's value wins over a body's under the other name
    if leaf.is_repeated:
        if not repeated_ok:
            raise FieldError(f"{name!r} is repeated and can't be set here")
        target.setdefault(name, []).append(value)
    elif name in target and repeated_ok:
        raise FieldError(f"{name!r} takes one value, and was given several")
    else:
        target[name] = value


def _converted(field: FieldDescriptor, text: str):
    if not is_scalar(field):
        raise FieldError(f"{field.name!r} is a message: set its fields instead ({field.name}.<field>=...)")
    if field.type == FieldDescriptor.TYPE_BOOL:
        if text.lower() not in _BOOLS:
            raise FieldError(f"{field.name!r} takes true or false, got {text!r}")
        return _BOOLS[text.lower()]
    if field.type == FieldDescriptor.TYPE_ENUM:
        if text.lstrip("-").isdigit():
            return int(text)
        if text not in field.enum_type.values_by_name:
            raise FieldError(f"{field.name!r} takes one of {', '.join(field.enum_type.values_by_name)}, got {text!r}")
    return text


def _field_named(message: Descriptor, name: str) -> FieldDescriptor | None:
    field = message.fields_by_name.get(name)
    if field is None:
        field = next((f for f in message.fields if f.json_name == name), None)
    return field


def _root_name(message: Descriptor | None, path: list[FieldDescriptor]) -> str:
    if path:
        return path[-1].containing_type.full_name
    return message.full_name if message is not None else "the request"
