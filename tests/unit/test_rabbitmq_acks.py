"""Acks finished in one turn of the event loop leave together, and a multiple ack never covers an unfinished delivery."""

import asyncio

from services.common.messaging.rabbitmq.acks import Acks


class Sent(list):
    def __call__(self, tag: int, multiple: bool) -> None:
        self.append((tag, multiple))


async def turn() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_a_lone_ack_leaves_at_the_end_of_its_turn_as_a_single_one():
    sent = Sent()
    acks = Acks(sent)
    acks.delivered(1)
    acks.finished(1)
    assert sent == []
    await turn()
    assert sent == [(1, False)]


async def test_a_run_from_the_oldest_delivery_finished_in_one_turn_is_one_multiple_ack():
    sent = Sent()
    acks = Acks(sent)
    for tag in (1, 2, 3, 4):
        acks.delivered(tag)
    for tag in (3, 1, 2):
        acks.finished(tag)
    await turn()
    assert sent == [(3, True)]
    acks.finished(4)
    await turn()
    assert sent == [(3, True), (4, False)]


async def test_finished_deliveries_past_a_running_one_are_acked_one_by_one_without_waiting_for_it():
    sent = Sent()
    acks = Acks(sent)
    for tag in (1, 2, 3, 4):
        acks.delivered(tag)
    acks.finished(1)
    acks.finished(3)
    acks.finished(4)
    await turn()
    assert sent == [(1, False), (3, False), (4, False)]  # 2 still runs: no multiple ack may cover it
    acks.finished(2)
    await turn()
    assert sent[-1] == (2, False)


async def test_a_requeued_delivery_does_not_hold_up_the_run_after_it():
    sent = Sent()
    acks = Acks(sent)
    for tag in (1, 2, 3):
        acks.delivered(tag)
    acks.requeued(1)  # its nack settled it
    acks.finished(2)
    acks.finished(3)
    await turn()
    assert sent == [(3, True)]


async def test_a_flush_sends_what_is_owed_at_once_and_nothing_is_acked_twice():
    sent = Sent()
    acks = Acks(sent)
    acks.delivered(1)
    acks.delivered(2)
    acks.finished(1)
    acks.flush()  # before a close
    assert sent == [(1, False)]
    acks.finished(1)
    await turn()
    assert sent == [(1, False)]
