"""JSON Schemas of protobuf messages as the JSON mapping writes them, for the OpenAPI document.

64-bit integers are strings of digits, enums their value names, Timestamp
an RFC 3339 string, Duration seconds with an `s`, names lowerCamelCase.
Each message is one component (`#/components/schemas/<full name>`), so
recursive messages (a retweet holds a Tweet) are references.
"""

from google.api import field_behavior_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from services.gateway.fields import SCALAR_MESSAGES

T = FieldDescriptor
_INT64 = {T.TYPE_INT64: ("int64", "^-?[0-9]+$"), T.TYPE_SINT64: ("int64", "^-?[0-9]+$"), T.TYPE_SFIXED64: ("int64", "^-?[0-9]+$"),
          T.TYPE_UINT64: ("uint64", "^[0-9]+$"), T.TYPE_FIXED64: ("uint64", "^[0-9]+$")}  # fmt: skip
_INT32 = {T.TYPE_INT32: {}, T.TYPE_SINT32: {}, T.TYPE_SFIXED32: {}, T.TYPE_UINT32: {"minimum": 0}, T.TYPE_FIXED32: {"minimum": 0}}
_WELL_KNOWN = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]{1,9})?s$"},
    "google.protobuf.FieldMask": {"type": "string"},
}


class Schemas:
    """Collects the components that the schemas it hands out refer to."""

    def __init__(self):
        self.components: dict[str, dict] = {}

    def message(self, descriptor: Descriptor, leave_out: frozenset[str] = frozenset()) -> dict:
        """A reference to the message's component, or an inline object without the fields left out."""
        if descriptor.full_name in SCALAR_MESSAGES:
            return self._well_known(descriptor)
        if leave_out:
            return self._object(descriptor, leave_out)
        if descriptor.full_name not in self.components:
            self.components[descriptor.full_name] = {}  # taken before recursing
            self.components[descriptor.full_name] = self._object(descriptor, leave_out)
        return {"$ref": f"#/components/schemas/{descriptor.full_name}"}

    def field(self, field: FieldDescriptor) -> dict:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value = field.message_type.fields_by_name["value"]
            return {"type": "object", "additionalProperties": self.single(value)}
        schema = self.single(field)
        if field.is_repeated:
            schema = {"type": "array", "items": schema}
        if field_behavior_pb2.OUTPUT_ONLY in field.GetOptions().Extensions[field_behavior_pb2.field_behavior]:
            schema = {**schema, "readOnly": True} if "$ref" not in schema else {"allOf": [schema], "readOnly": True}
        return schema

    def single(self, field: FieldDescriptor) -> dict:
        if field.message_type is not None:
            return self.message(field.message_type)
        if field.enum_type is not None:
            return {"type": "string", "enum": [value.name for value in field.enum_type.values]}
        if field.type in _INT64:
            fmt, pattern = _INT64[field.type]
            return {"type": "string", "format": fmt, "pattern": pattern}
        if field.type in _INT32:
            return {"type": "integer", "format": "int32", **_INT32[field.type]}
        if field.type in (T.TYPE_DOUBLE, T.TYPE_FLOAT):
            return {"type": "number", "format": "double" if field.type == T.TYPE_DOUBLE else "float"}
        if field.type == T.TYPE_BOOL:
            return {"type": "boolean"}
        if field.type == T.TYPE_BYTES:
            return {"type": "string", "format": "byte"}
        return {"type": "string"}

    def _object(self, descriptor: Descriptor, leave_out: frozenset[str]) -> dict:
        properties = {f.json_name: self.field(f) for f in descriptor.fields if f.name not in leave_out}
        return {"type": "object", "properties": properties}

    def _well_known(self, descriptor: Descriptor) -> dict:
        if descriptor.full_name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[descriptor.full_name])
        return {**self.single(descriptor.fields_by_name["value"]), "nullable": True}  # a wrapper: its value or null
