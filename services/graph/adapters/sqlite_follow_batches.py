"""Batch reads of the follow edges in the graph's SQLite store (a part of SqliteGraphRepository): several
authors' pages of follower ids, or several followers-among questions, each in one query."""

import json
from collections.abc import Sequence

from services.common.kernel.ids import possible_ids
from services.common.kernel.pagination import Page, PageRequest
from services.graph.adapters.rows import follower_id_pages, followers_by_question

_ONE_PAGE = "SELECT * FROM (SELECT ? AS n, seq, follower_id FROM follows WHERE followee_id = ? AND seq > ? ORDER BY seq LIMIT ?)"
_FOLLOWERS_AMONG_EACH = (
    "SELECT json_extract(q.value, '$[0]'), f.follower_id FROM json_each(?) q JOIN follows f "
    "ON f.follower_id = json_extract(q.value, '$[2]') AND f.followee_id = json_extract(q.value, '$[1]')"
)  # one parameter however many candidates: SQLite takes at most 32,766


class SqliteFollowBatches:
    """Needs _db from the repository."""

    async def follower_id_pages(self, requests: Sequence[tuple[int, PageRequest]]) -> list[Page[int]]:
        sql = " UNION ALL ".join([_ONE_PAGE] * len(requests)) + " ORDER BY n, seq"  # at most 100 requests: SQLite joins 500
        params = [value for n, (user_id, page) in enumerate(requests) for value in (n, user_id, page.cursor or 0, page.size + 1)]
        return follower_id_pages(await self._db.fetch_all(sql, params) if requests else [], requests)

    async def followers_among_each(self, questions: Sequence[tuple[int, Sequence[int]]]) -> list[set[int]]:
        pairs = [[n, followee_id, candidate] for n, (followee_id, candidates) in enumerate(questions) for candidate in possible_ids(candidates)]
        rows = await self._db.fetch_all(_FOLLOWERS_AMONG_EACH, (json.dumps(pairs),)) if pairs else []
        return followers_by_question(rows, questions)
