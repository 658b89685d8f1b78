"""Messages into JSON-ready dicts, as json_format.MessageToDict(always_print_fields_with_no_presence=True) makes them, faster.

A profile of the gateway on home reads spent 43% of its time in
MessageToDict, which looks up how to print every field of every message
each time. Here each message type gets its printer once: a straight-line
function generated from the descriptor (one statement a field: ids
through `str`, plain values as they are, nested messages through their
own printer, the rest through a converter), reused for every message of
that type; the elements of a repeated message field and Timestamps are
printed once and remembered (remembered.py). Well-known
types other than Timestamp and Duration go to json_format itself. A unit
test holds the output equal to MessageToDict's.
"""

import base64
import keyword
import math
from collections.abc import Callable

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.internal import type_checkers
from google.protobuf.message import Message

from services.gateway.remembered import remembered_by_bytes, timestamp_text

F = FieldDescriptor
_INT64 = {F.CPPTYPE_INT64, F.CPPTYPE_UINT64}
_OWN_JSON = {"google.protobuf.Timestamp", "google.protobuf.Duration"}  # ToJsonString()
_printers: dict[str, Callable[[Message], object]] = {}


def to_json_object(message: Message):
    return printer_of(message.DESCRIPTOR)(message)


def printer_of(descriptor: Descriptor) -> Callable[[Message], object]:
    printer = _printers.get(descriptor.full_name)
    if printer is None:
        printer = _printers[descriptor.full_name] = _build(descriptor)
    return printer


def _build(descriptor: Descriptor) -> Callable[[Message], object]:
    if descriptor.full_name == "google.protobuf.Timestamp":
        return timestamp_text
    if descriptor.full_name in _OWN_JSON:
        return lambda message: message.ToJsonString()
    if descriptor.full_name.startswith("google.protobuf."):
        return lambda message: json_format.MessageToDict(message, always_print_fields_with_no_presence=True)
    names: dict[str, object] = {"P": _printers, "str": str}
    lines = ["def render(m):", "    out = {}"]
    for n, field in enumerate(descriptor.fields):
        value = f"m.{field.name}" if not keyword.iskeyword(field.name) else f"getattr(m, {field.name!r})"
        assign = f"out[{field.json_name!r}] = {_expression(field, value, n, names)}"
        lines.append(f"    if m.HasField({field.name!r}): {assign}" if field.has_presence else f"    {assign}")
    exec("\n".join([*lines, "    return out"]), names)  # one straight-line function per message type
    _printers[descriptor.full_name] = render = names["render"]
    for field in descriptor.fields:
        if field.message_type is not None and not field.message_type.GetOptions().map_entry:
            printer_of(field.message_type)  # built before the first message is printed (P[...] in the code)
    return render


def _expression(field: FieldDescriptor, value: str, n: int, names: dict) -> str:
    """The code that prints `value` (the field read from m): inline for ids and plain values, else a named converter."""
    if field.message_type is not None and field.is_repeated and not field.message_type.full_name.startswith("google.protobuf."):
        if not field.message_type.GetOptions().map_entry:
            names[f"c{n}"] = remembered_by_bytes(_printers, field.message_type.full_name)
            return f"[c{n}(v) for v in {value}]"
    if field.message_type is not None and not field.message_type.GetOptions().map_entry:
        single = f"P[{field.message_type.full_name!r}]"
    elif field.message_type is None and field.enum_type is None and field.cpp_type in _INT64:
        single = "str"
    elif (convert := _container(field)) is _identity:
        return value
    else:
        names[f"c{n}"] = convert
        return f"c{n}({value})"
    return f"[{single}(v) for v in {value}]" if field.is_repeated else f"{single}({value})"


def _container(field: FieldDescriptor) -> Callable:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        value = _single(field.message_type.fields_by_name["value"])
        return lambda entries: {_map_key(k): value(v) for k, v in entries.items()}
    single = _single(field)
    if field.is_repeated:
        return lambda values: [single(v) for v in values]
    return single


def _single(field: FieldDescriptor) -> Callable:
    if field.message_type is not None:
        descriptor = field.message_type
        return lambda message: printer_of(descriptor)(message)
    if field.enum_type is not None:
        return _enum(field)
    if field.cpp_type in _INT64:
        return str
    if field.type == F.TYPE_BYTES:
        return lambda value: base64.b64encode(value).decode("utf-8")
    if field.cpp_type in (F.CPPTYPE_FLOAT, F.CPPTYPE_DOUBLE):
        return lambda value: _float(value, field.cpp_type == F.CPPTYPE_FLOAT)
    return _identity


def _identity(value):
    return value


def _enum(field: FieldDescriptor) -> Callable:
    if field.enum_type.full_name == "google.protobuf.NullValue":
        return lambda value: None
    names = {v.number: v.name for v in field.enum_type.values}
    return lambda value: names.get(value, value)


def _float(value: float, single: bool):
    if math.isinf(value):
        return "-Infinity" if value < 0 else "Infinity"
    if math.isnan(value):
        return "NaN"
    return type_checkers.ToShortestFloat(value) if single else value


def _map_key(key) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)
