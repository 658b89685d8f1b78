"""Notification's domain rules: what a group shows once hidden accounts are left out, and its line."""

from services.common.visibility.rules import HiddenAccounts as Hidden
from services.notification.domain import Group, Kind, shown, summary


def group(count: int, *actors: int) -> Group:
    return Group(1, 100, Kind.LIKE, 7, count, 0, 0, 0, actors)


def test_the_line_names_the_newest_actor_and_counts_the_others():
    assert summary(Kind.LIKE, ["alice"], 1) == "alice liked your tweet"
    assert summary(Kind.FOLLOW, ["alice", "bob"], 2) == "alice and bob followed you"
    assert summary(Kind.RETWEET, ["alice", "bob", "cat"], 2) == "alice and bob retweeted your tweet"
    assert summary(Kind.REPLY, ["alice", "bob"], 3) == "alice and 2 others replied to your tweet"
    assert summary(Kind.MENTION, [], 1) == "someone mentioned you"


def test_hidden_actors_leave_the_names_and_the_count():
    seen = shown(group(5, 1, 2, 3, 4, 5), Hidden(blocked=frozenset({1}), muted=frozenset({3})))
    assert (seen.actor_ids, seen.actor_count) == ((2, 4, 5), 3)


def test_a_group_of_hidden_actors_only_is_not_shown():
    assert shown(group(2, 1, 2), Hidden(muted=frozenset({1, 2}))) is None


def test_actors_beyond_the_kept_ones_still_count():
    seen = shown(group(100, 1, 2), Hidden(blocked=frozenset({1, 2})))
    assert (seen.actor_ids, seen.actor_count) == ((), 98)
