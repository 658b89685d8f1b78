"""Several events in one bus message: which runs are packed, and that each event comes back as it went."""

from services.common.messaging.rabbitmq import batches
from services.common.messaging.rabbitmq.batches import BATCH_HEADER, MAX_EVENTS, packed, unpacked
from services.common.messaging.rabbitmq.message import Message


def _events(messages: list[Message]) -> list[tuple[str, bytes, dict]]:
    return [(m.routing_key, body, headers) for m in messages for body, headers in unpacked(m.body, m.headers)]


def test_each_run_of_one_routing_key_travels_as_one_message_in_order():
    sent = [Message("tweet.created", b"1", {"traceparent": "a"}), Message("tweet.created", b"2", {"traceparent": "b"}),
            Message("user.followed", b"3"), Message("tweet.created", b"4"), Message("tweet.created", b"5")]
    out = packed(sent)
    assert [(m.routing_key, m.headers.get(BATCH_HEADER)) for m in out] == [
        ("tweet.created", "2"), ("user.followed", None), ("tweet.created", "2")]
    assert _events(out) == [(m.routing_key, m.body, dict(m.headers)) for m in sent]  # each with its own headers


def test_a_lone_event_and_a_message_with_an_expiry_or_mandatory_stay_plain():
    sent = [Message("a", b"1"), Message("b", b"2", expiration_ms=5), Message("b", b"3", expiration_ms=5),
            Message("c", b"4", mandatory=True), Message("c", b"5", mandatory=True)]
    assert packed(sent) == sent


def test_a_run_longer_than_a_batch_is_split():
    out = packed([Message("k", b"%d" % n) for n in range(MAX_EVENTS * 2 + 1)])
    assert [len(unpacked(m.body, m.headers)) for m in out] == [MAX_EVENTS, MAX_EVENTS, 1]
    assert [body for m in out for body, _ in unpacked(m.body, m.headers)] == [b"%d" % n for n in range(MAX_EVENTS * 2 + 1)]
    assert [len(unpacked(m.body, m.headers)) for m in packed([Message("k", b"x")] * 5, most=2)] == [2, 2, 1]


def test_a_batch_that_does_not_parse_comes_back_whole_for_its_handler_to_refuse():
    headers = {BATCH_HEADER: "2"}
    assert unpacked(b"\xff\xff not a batch", headers) == [(b"\xff\xff not a batch", headers)]
    assert batches.unpacked(b"plain", {"x": "y"}) == [(b"plain", {"x": "y"})]
