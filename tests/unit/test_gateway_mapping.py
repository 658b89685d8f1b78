"""Query parameters, path variables and bodies into request messages; responses into JSON."""

import json

import pytest

from services.gateway.app import Gateway
from services.gateway.transcode import BadRequest, build_request, render_response, response_class
from tests.unit.gateway_contract import shelf_bindings

BINDINGS = shelf_bindings()
LIST, PEEK = BINDINGS["ListBooks"]
UPDATE, CREATE = BINDINGS["UpdateBook"][0], BINDINGS["CreateBook"][0]


def build(binding, query=(), body=b"", path=None):
    return build_request(binding, path or {"name": "shelves/s1"}, query, body)


def test_query_parameters_take_proto_or_json_names_nested_and_repeated():
    query = [("page_size", "5"), ("filter.tags", "a"), ("filter.tags", "b"), ("filter.minPages", "30"), ("ids", "18446744073709551615"),
             ("ids", "2"), ("deep", "true"), ("kind", "KIND_CLOTH"), ("filter.since_time", "2026-01-02T03:04:05Z")]  # fmt: skip
    request = build(LIST, query)
    assert request.name == "shelves/s1" and request.page_size == 5
    assert list(request.filter.tags) == ["a", "b"] and request.filter.min_pages == 30
    assert list(request.ids) == [2**64 - 1, 2] and request.deep is True and request.kind == 2
    assert request.filter.since_time.seconds == 1767323045


def test_enums_take_numbers_too():
    assert build(LIST, [("kind", "1")]).kind == 1


@pytest.mark.parametrize(
    "query, fragment",
    [
        ([("nope", "1")], "'nope' names no field"),
        ([("filter.nope", "1")], "names no field"),
        ([("page_size", "ten")], "page_size"),
        ([("page_size", "1"), ("page_size", "2")], "takes one value"),
        ([("deep", "maybe")], "true or false"),
        ([("kind", "KIND_WOOD")], "KIND_WOOD"),
        ([("filter", "x")], "is a message"),
        ([("ids", "-1")], "ids"),
        ([("name", "shelves/other")], "already sets"),
    ],
)
def test_bad_query_parameters_are_refused(query, fragment):
    with pytest.raises(BadRequest, match=fragment):
        build(LIST, query)


def test_a_nested_path_variable_sets_the_nested_field():
    request = build(PEEK, path={"book.name": "shelves/1/books/2"})
    assert request.book.name == "shelves/1/books/2"


def test_body_field_fills_that_field_and_the_path_wins_over_it():
    request = build(UPDATE, body=b'{"name": "forged", "title": "T", "bookId": "7"}', path={"book.name": "shelves/1/books/2"})
    assert (request.book.name, request.book.title, request.book.book_id) == ("shelves/1/books/2", "T", 7)
    assert build(UPDATE, [("page_size", "3")], b"{}", {"book.name": "b"}).page_size == 3  # fields outside the body: the query


def test_body_star_fills_the_request_and_leaves_nothing_to_the_query():
    request = build(CREATE, body=b'{"page_size": 4, "book": {"title": "x"}, "name": "forged"}')
    assert (request.page_size, request.book.title, request.name) == (4, "x", "shelves/s1")
    with pytest.raises(BadRequest, match="already sets"):
        build(CREATE, [("deep", "true")], b"{}")


def test_an_empty_body_is_an_empty_message():
    assert build(CREATE, body=b"").page_size == 0


@pytest.mark.parametrize("body, fragment", [(b"{nope", "not valid JSON"), (b"[1]", "JSON object"), (b'{"pageSize": "x"}', "pageSize"),
                                            (b"\xff", "not valid JSON")])  # fmt: skip
def test_bad_bodies_are_refused(body, fragment):
    with pytest.raises(BadRequest, match=fragment):
        build(CREATE, body=body)


def test_a_method_without_body_refuses_one():
    with pytest.raises(BadRequest, match="takes no body"):
        build(LIST, body=b'{"deep": true}')


def test_responses_use_json_names_64_bit_strings_and_response_body():
    response = response_class(UPDATE)(total=2**40)
    response.book.book_id = 2**63
    assert json.loads(render_response(LIST, response)) == {"book": {"name": "", "title": "", "bookId": "9223372036854775808"}, "total": "1099511627776"}
    assert json.loads(render_response(UPDATE, response)) == {"name": "", "title": "", "bookId": "9223372036854775808"}


def test_unknown_body_fields_are_ignored_as_grpc_gateway_does():
    assert build(CREATE, body=b'{"pageSize": 2, "colour": "red"}').page_size == 2


class RecordingChannel:
    """Stands in for a grpc.aio channel: each call records the request's bytes and the caller's metadata."""

    def __init__(self):
        self.sent: list[tuple[bytes, tuple]] = []

    def unary_unary(self, rpc, response_deserializer):
        async def call(request: bytes, timeout: float, metadata: tuple):
            self.sent.append((request, metadata))
            return response_deserializer(b"")

        return call


async def get(gateway, raw_path: bytes, query: bytes, authorization: bytes) -> int:
    scope = {"type": "http", "method": "GET", "path": raw_path.decode(), "raw_path": raw_path, "query_string": query,
             "headers": [(b"authorization", authorization)], "client": ("127.0.0.1", 1)}  # fmt: skip
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await gateway(scope, receive, send)
    return sent[0]["status"]


async def test_a_bodiless_request_is_built_once_for_its_path_and_query_and_each_call_keeps_its_own_metadata():
    channel = RecordingChannel()
    gateway = Gateway([b for bs in BINDINGS.values() for b in bs], {"shelf": channel}, b"{}")
    for raw_path, query, token in [(b"/v1/shelves/s1/books", b"page_size=3", b"a"), (b"/v1/shelves/s1/books", b"page_size=3", b"b"),
                                   (b"/v1/shelves/s1/books", b"page_size=4", b"a"), (b"/v1/shelves/s%32/books", b"page_size=3", b"a")]:  # fmt: skip
        assert await get(gateway, raw_path, query, token) == 200
    requests = [request for request, _ in channel.sent]
    assert [dict(m)["authorization"] for _, m in channel.sent] == ["a", "b", "a", "a"]
    assert requests[0] == requests[1] == build(LIST, [("page_size", "3")]).SerializeToString()
    assert requests[2] == build(LIST, [("page_size", "4")]).SerializeToString()
    assert requests[3] == build(LIST, [("page_size", "3")], path={"name": "shelves/s%32"}).SerializeToString()  # kept raw: it spans segments
    assert await get(gateway, b"/v1/shelves/s1/books", b"page_size=x", b"a") == 400
