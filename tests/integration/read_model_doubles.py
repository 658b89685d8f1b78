"""Stand-ins for the services behind the Timeline's read model, counting their calls: tests of the
copies kept in Redis read those counts to tell when a read reached the owning service."""

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.timeline.v1 import timeline_service_pb2 as pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb
from services.common.kernel.errors import Unauthenticated
from services.common.kernel.pagination import PageRequest
from services.common.visibility.rules import HiddenAccounts
from services.timeline.domain import VIEWER_LIKED, Card
from services.timeline.messages import home_response


class Tweets:
    """The Tweet service as the timeline sees it: tweets by author, likes by viewer."""

    def __init__(self):
        self.by_author: dict[int, list[int]] = {}
        self.authors: dict[int, int] = {}
        self.originals: dict[int, int] = {}  # retweet id -> the original's
        self.likes: set[tuple[int, int]] = set()
        self.deleted: set[int] = set()
        self.hydrated: list[int] = []
        self.recent_calls: list[list[int]] = []
        self.before_return = None  # called after reading, before answering: a write landing meanwhile

    def post(self, author: int, tweet_id: int) -> int:
        self.by_author.setdefault(author, []).insert(0, tweet_id)
        self.authors[tweet_id] = author
        return tweet_id

    def retweet(self, author: int, tweet_id: int, original_id: int) -> int:
        self.originals[tweet_id] = original_id
        return self.post(author, tweet_id)

    async def recent_ids(self, author_ids, before, limit):
        self.recent_calls.append(list(author_ids))
        ids = [i for a in author_ids for i in self.by_author.get(a, []) if i not in self.deleted]
        return sorted((i for i in ids if before is None or i < before), reverse=True)[:limit]

    async def ids_ever_posted_by(self, author_id, limit):
        return self.by_author.get(author_id, [])[:limit]

    async def hydrate(self, viewer_id, tweet_ids):
        self.hydrated += tweet_ids
        cards = [self._card(viewer_id, i) for i in tweet_ids if i in self.authors and not {i, self.originals.get(i, i)} & self.deleted]
        if self.before_return:
            await self.before_return()
        return cards

    def _card(self, viewer_id, tweet_id):
        original = self.originals.get(tweet_id, tweet_id)
        liked = (viewer_id, original) in self.likes
        shown = self._message(tweet_id)
        if original != tweet_id:
            shown.retweeted_tweet.CopyFrom(self._message(original))
        authors = (self.authors[tweet_id], self.authors[original])
        return Card(tweet_id, original, authors, shown.SerializeToString(), VIEWER_LIKED if liked else 0)

    def _message(self, tweet_id):
        likes = sum(1 for _, t in self.likes if t == tweet_id)
        author = graph_pb.User(user_id=self.authors[tweet_id], handle=f"u{self.authors[tweet_id]}")
        return tweet_pb.Tweet(tweet_id=tweet_id, author=author, text=f"tweet {tweet_id}", like_count=likes)


class Graph:
    def __init__(self):
        self.accounts: set[int] = set()
        self.celebrities: dict[int, list[int]] = {}
        self.following: dict[int, list[int]] = {}
        self.hidden: dict[int, HiddenAccounts] = {}
        self.calls = 0

    async def hidden_accounts(self, user_id):
        self.calls += 1
        return self.hidden.get(user_id, HiddenAccounts())

    async def celebrities_followed_by(self, user_id):
        self.calls += 1
        if user_id not in self.accounts:
            raise Unauthenticated(f"the acting user {user_id} has no account; register first")
        return self.celebrities.get(user_id, [])

    async def following_ids(self, user_id):
        return self.following.get(user_id, [])


async def walk(service, reader: int, size: int) -> list[tuple[int, bool]]:
    """Every page of the reader's home timeline through a TimelineService: each tweet shown, and whether the reader liked it."""
    shown, cursor = [], None
    while True:
        page = await service.home(reader, PageRequest(size, cursor))
        response = pb.ListHomeTimelineResponse.FromString(home_response(page.items, ""))
        shown += [(t.tweet_id, t.viewer_liked or t.retweeted_tweet.viewer_liked) for t in response.tweets]
        if page.next_cursor is None:
            return shown
        cursor = page.next_cursor
