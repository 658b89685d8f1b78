"""The path-template matcher and the router: google.api.http templates as grpc-gateway matches them."""

import pytest

from services.gateway.errors import HttpFailure
from services.gateway.routes import Router
from services.gateway.template import TemplateError, parse_template
from tests.unit.gateway_contract import shelf_bindings


@pytest.mark.parametrize(
    "template, path, expected",
    [
        ("/v1/users/{user_id}", "/v1/users/42", {"user_id": "42"}),
        ("/v1/users/{user_id}", "/v1/users/42/x", None),
        ("/v1/users/{user_id}", "/v1/users/", None),
        ("/v1/users/{user_id}", "/v1/users/a%20b", {"user_id": "a b"}),
        ("/v1/users:batchGet", "/v1/users:batchGet", {}),
        ("/v1/users:batchGet", "/v1/users", None),
        ("/v1/users/{user_id}:follow", "/v1/users/7:follow", {"user_id": "7"}),
        ("/v1/users/{user_id}:follow", "/v1/users/7:unfollow", None),
        ("/v1/users/{follower_id}/following/{followee_id}", "/v1/users/1/following/2", {"follower_id": "1", "followee_id": "2"}),
        ("/v1/{name=shelves/*}/books", "/v1/shelves/s1/books", {"name": "shelves/s1"}),
        ("/v1/{name=shelves/*}/books", "/v1/shelves/s1/x/books", None),
        ("/v1/{name=shelves/*}/books", "/v1/racks/s1/books", None),
        ("/v1/{book.name=shelves/*/books/*}:peek", "/v1/shelves/1/books/2:peek", {"book.name": "shelves/1/books/2"}),
        ("/v1/files/{name=**}", "/v1/files/a/b/c", {"name": "a/b/c"}),
        ("/v1/files/{name=**}", "/v1/files/", {"name": ""}),
        ("/v1/*/items", "/v1/anything/items", {}),
        ("/v1/*/items", "/v1/a/b/items", None),
    ],
)
def test_templates_match_and_bind_variables(template, path, expected):
    assert parse_template(template).match(path) == expected


@pytest.mark.parametrize("template", ["v1/users", "/v1//users", "/v1/{a={b}}", "/v1/{a", "/v1/**/x", "/v1/a b"])
def test_templates_outside_the_grammar_are_refused(template):
    with pytest.raises(TemplateError):
        parse_template(template)


def test_a_custom_verb_wins_over_a_variable_that_would_swallow_it():
    graph = shelf_bindings()
    router = Router([*graph["ListBooks"], *graph["UpdateBook"]])
    binding, values = router.route("GET", "/v1/shelves/1/books/2:peek")
    assert binding.template.verb == "peek" and values == {"book.name": "shelves/1/books/2"}


def test_additional_bindings_route_to_the_same_method():
    router = Router(shelf_bindings()["ListBooks"])
    first, _ = router.route("GET", "/v1/shelves/1/books")
    second, _ = router.route("GET", "/v1/shelves/1/books/9:peek")
    assert first.method is second.method


def test_unknown_path_is_404_and_wrong_method_405_with_allow():
    router = Router([b for bindings in shelf_bindings().values() for b in bindings])
    with pytest.raises(HttpFailure) as missing:
        router.route("GET", "/v2/nothing")
    assert missing.value.http_status == 404
    with pytest.raises(HttpFailure) as wrong:
        router.route("DELETE", "/v1/shelves/1/books")
    assert wrong.value.http_status == 405 and wrong.value.headers["allow"] == "GET, POST"


def test_a_method_without_a_rule_has_no_binding():
    assert "Internal" not in shelf_bindings()
    assert shelf_bindings()["Custom"][0].http_method == "HEAD"
