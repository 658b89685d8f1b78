"""In-memory fakes of the ports that timelines and fan-out use; no I/O."""

from collections.abc import Sequence
from datetime import datetime, timezone

from services.common.kernel.errors import Unauthenticated
from services.common.kernel.pagination import Page, PageRequest
from services.common.visibility.rules import HiddenAccounts
from services.graph.domain import User
from services.timeline.domain import Card
from services.tweet.domain import Tweet


class FakeGraph:
    def __init__(self, celebrity_threshold: int = 3):
        self.threshold = celebrity_threshold
        self.users: set[int] = set()
        self.edges: list[tuple[int, int]] = []  # (follower, followee), in follow order
        self.hidden: dict[int, HiddenAccounts] = {}  # viewer -> what is hidden from them

    def follow(self, follower: int, followee: int) -> None:
        self.users |= {follower, followee}
        self.edges.append((follower, followee))

    def unfollow(self, follower: int, followee: int) -> None:
        self.edges.remove((follower, followee))

    async def batch_get(self, user_ids: Sequence[int]) -> list[User]:
        return [_user(i) for i in user_ids if i in self.users]

    async def hidden_from(self, viewer_id: int | None) -> HiddenAccounts:
        return self.hidden.get(viewer_id, HiddenAccounts())

    async def require_account(self, user_id: int) -> None:
        if user_id not in self.users:
            raise Unauthenticated(f"the acting user {user_id} has no account; register first")

    async def following_ids(self, user_id: int) -> list[int]:
        return [e for f, e in self.edges if f == user_id]

    async def celebrity_following_ids(self, user_id: int) -> list[int]:
        return [e for e in await self.following_ids(user_id) if await self.is_celebrity(e)]

    async def celebrities_followed_by(self, user_id: int) -> list[int]:
        await self.require_account(user_id)
        return await self.celebrity_following_ids(user_id)

    async def is_following(self, follower_id: int, followee_id: int) -> bool:
        return (follower_id, followee_id) in self.edges

    async def followers_among(self, followee_id: int, candidate_ids: Sequence[int]) -> set[int]:
        return {f for f, e in self.edges if e == followee_id and f in candidate_ids}

    async def is_celebrity(self, user_id: int) -> bool:
        return sum(1 for _, e in self.edges if e == user_id) >= self.threshold

    async def follower_ids(self, user_id: int, page: PageRequest) -> Page[int]:
        followers = [f for f, e in self.edges if e == user_id]
        start = page.cursor or 0
        chunk = followers[start : start + page.size]
        return Page(chunk, start + page.size if start + page.size < len(followers) else None)


class FakeTweets:
    def __init__(self):
        self.tweets: dict[int, Tweet] = {}
        self.deleted: set[int] = set()
        self.hydrate_calls = 0

    def add(self, tweet_id: int, author: int, retweet_of: int = 0) -> int:
        self.tweets[tweet_id] = Tweet(tweet_id, author, "" if retweet_of else f"tweet {tweet_id}", retweet_of_tweet_id=retweet_of)
        return tweet_id

    async def recent_ids(self, author_ids: Sequence[int], before: int | None, limit: int) -> list[int]:
        ids = [i for i, t in self.tweets.items() if t.author_id in author_ids and i not in self.deleted]
        return sorted((i for i in ids if before is None or i < before), reverse=True)[:limit]

    async def ids_ever_posted_by(self, author_id: int, limit: int) -> list[int]:
        return sorted((i for i, t in self.tweets.items() if t.author_id == author_id), reverse=True)[:limit]

    async def hydrate(self, viewer_id: int | None, tweet_ids: Sequence[int]) -> list[Card]:
        self.hydrate_calls += 1
        visible = [self.tweets[i] for i in tweet_ids if i in self.tweets and i not in self.deleted]
        return [Card(t.tweet_id, t.original_id, (t.author_id, self.tweets[t.original_id].author_id), shown=t) for t in visible]


def _user(user_id: int) -> User:
    return User(user_id, f"user{user_id}", f"User {user_id}", datetime(2026, 1, 1, tzinfo=timezone.utc))
