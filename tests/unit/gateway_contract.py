"""A made-up contract for the gateway's unit tests: the http rule forms Chirp's own protos don't use
(`{field=segments/*}`, nested field paths, `body: "field"`, additional_bindings, enums, times, repeated and nested query fields)."""

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor_pb2, descriptor_pool, timestamp_pb2  # noqa: F401  (the pool needs Timestamp)

from services.gateway.rules import Binding, bindings_of

F = descriptor_pb2.FieldDescriptorProto


def _field(name: str, number: int, kind: int, type_name: str = "", repeated: bool = False) -> F:
    field = F(name=name, number=number, type=kind, label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
    if type_name:
        field.type_name = type_name
    return field


def _file() -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto(name="gatewaytest/v1/shelf.proto", package="gatewaytest.v1", syntax="proto3",
                                              dependency=["google/api/annotations.proto", "google/protobuf/timestamp.proto"])  # fmt: skip
    file.enum_type.add(name="Kind").value.extend([descriptor_pb2.EnumValueDescriptorProto(name=n, number=i) for i, n in
                                                  enumerate(["KIND_UNSPECIFIED", "KIND_PAPER", "KIND_CLOTH"])])  # fmt: skip
    file.message_type.add(name="Filter", field=[
        _field("since_time", 1, F.TYPE_MESSAGE, ".google.protobuf.Timestamp"), _field("tags", 2, F.TYPE_STRING, repeated=True),
        _field("min_pages", 3, F.TYPE_INT32)])  # fmt: skip
    file.message_type.add(name="Book", field=[_field("name", 1, F.TYPE_STRING), _field("title", 2, F.TYPE_STRING),
                                              _field("book_id", 3, F.TYPE_UINT64)])  # fmt: skip
    file.message_type.add(name="BookRequest", field=[
        _field("name", 1, F.TYPE_STRING), _field("book", 2, F.TYPE_MESSAGE, ".gatewaytest.v1.Book"),
        _field("filter", 3, F.TYPE_MESSAGE, ".gatewaytest.v1.Filter"), _field("ids", 4, F.TYPE_UINT64, repeated=True),
        _field("deep", 5, F.TYPE_BOOL), _field("kind", 6, F.TYPE_ENUM, ".gatewaytest.v1.Kind"), _field("page_size", 7, F.TYPE_INT32)])  # fmt: skip
    file.message_type.add(name="BookResponse", field=[_field("book", 1, F.TYPE_MESSAGE, ".gatewaytest.v1.Book"),
                                                      _field("total", 2, F.TYPE_INT64)])  # fmt: skip
    service = file.service.add(name="ShelfService")
    for name, rule in {**RULES, "Internal": None}.items():  # Internal: no rule, so no route
        method = service.method.add(name=name, input_type=".gatewaytest.v1.BookRequest", output_type=".gatewaytest.v1.BookResponse")
        if rule is not None:
            method.options.Extensions[annotations_pb2.http].CopyFrom(rule)
    return file


RULES = {
    "ListBooks": http_pb2.HttpRule(get="/v1/{name=shelves/*}/books",
                                   additional_bindings=[http_pb2.HttpRule(get="/v1/{book.name=shelves/*/books/*}:peek")]),
    "UpdateBook": http_pb2.HttpRule(patch="/v1/{book.name=shelves/*/books/*}", body="book", response_body="book"),
    "CreateBook": http_pb2.HttpRule(post="/v1/{name=shelves/*}/books", body="*"),
    "GetAll": http_pb2.HttpRule(get="/v1/files/{name=**}"),
    "Custom": http_pb2.HttpRule(custom=http_pb2.CustomHttpPattern(kind="HEAD", path="/v1/ping")),
}  # fmt: skip


def _service():
    pool = descriptor_pool.Default()
    try:
        return pool.FindServiceByName("gatewaytest.v1.ShelfService")
    except KeyError:
        pool.Add(_file())
        return pool.FindServiceByName("gatewaytest.v1.ShelfService")


def shelf_bindings() -> dict[str, list[Binding]]:
    found: dict[str, list[Binding]] = {}
    for binding in bindings_of("shelf", _service()):
        found.setdefault(binding.method.name, []).append(binding)
    return found
