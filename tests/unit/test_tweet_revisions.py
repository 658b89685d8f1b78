"""Reading back no tweets (after a post with no parent: the row cache has nothing to store) asks PostgreSQL nothing."""

import pytest

from services.tweet.adapters.postgres_repository import PostgresTweetRepository


class NoQueries:
    async def fetch_all(self, sql: str, *args):
        pytest.fail(f"queried: {sql}")


@pytest.mark.parametrize("tweet_ids", [[], [0, -5]], ids=["none", "impossible-ids"])
async def test_no_tweets_to_read_back_is_no_query(tweet_ids):
    assert await PostgresTweetRepository(NoQueries(), outbox=None).revisions(tweet_ids) == {}
