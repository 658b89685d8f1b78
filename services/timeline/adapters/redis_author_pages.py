"""A warm page of an author's tweets (a user timeline) in one call to Redis, from the read model's keys.

It reads the author's kept recent ids below the cursor, one more than the
page, and shows each card that is neither a tombstone, nor a retweet of one,
nor by an account deleted lately, with the viewer's state on it (none for an
anonymous reader). It changes nothing: when the author's list is not built or
ends above the page, or a card or a viewer state is not kept, it answers
nothing and the caller reads through CachedTweets, which keeps what was
missing. It shows the tweets that way shows, page after page.

Like the home page script, it goes over a multiplexed connection; a Cluster
can't run it (its keys lie in many slots), so there every read takes the other way.
"""

from services.common.kernel.pagination import Page, PageRequest
from services.common.storage.redis_multiplexed import MultiplexedRedis
from services.timeline.adapters import redis_layout as layout
from services.timeline.adapters.redis_page_script import LUA_PARTS, leaving_since_ms, run_page, top_of
from services.timeline.domain import Card
from services.timeline.read_model import POSTS_KEPT

# KEYS: the author's posts, the accounts leaving, and the viewer's state (absent for an anonymous reader).
# ARGV: the bound above the page, the page size, leaving since (ms), ids kept per author, the card key prefix.
# Returns false, or what redis_page_script.cards_of reads.
_PAGE = """
local top, size, kept = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[4])
local window, CARDS = size + 1, ARGV[5]
""" + LUA_PARTS + """
local ids = lane(KEYS[1], true)
if not ids then return false end
local leaving = leaving_since(KEYS[2], ARGV[3])
local page = {''}
local born = KEYS[3] and redis.call('HGET', KEYS[3], 'born')
for n = 1, math.min(#ids, size) do
  local id = ids[n]
  local card = redis.call('GET', key(CARDS, id))
  if not card then return false end
  if shown(id, card, leaving) then
    local state = '\\0'
    if KEYS[3] then
      state = state_of(redis.call('HGET', KEYS[3], id), born, id)
      if not state then return false end
    end
    page[#page + 1], page[#page + 2], page[#page + 3] = id, card, state
  end
end
if #ids > size then page[1] = ids[size] end
return page
"""


class RedisAuthorPages:
    def __init__(self, redis: MultiplexedRedis):
        self._script = redis.script(_PAGE)

    async def page(self, viewer_id: int | None, author_id: int, page: PageRequest) -> Page[Card] | None:
        """The page, or None when the read model lacks something it needs."""
        if page.size >= POSTS_KEPT:  # more than an author's list holds: never whole here
            return None
        keys = [layout.posts_key(author_id), layout.LEAVING_KEY, *([layout.viewer_key(viewer_id)] if viewer_id is not None else [])]
        args = [top_of(page.cursor), page.size, leaving_since_ms(), POSTS_KEPT, layout.CARD_PREFIX]
        return await run_page(self._script, keys, args, "author page")
