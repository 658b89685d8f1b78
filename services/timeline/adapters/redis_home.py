"""A warm home page in one call to Redis: a script reads the read model's keys and returns the page.

It merges the reader's pushed ids with their own and their celebrities'
recent posts (newest first, below the cursor, each id once), walks them in
order, and keeps each card that is neither a tombstone, nor a retweet of a
tombstone, nor a second showing of an original, nor by an account deleted
lately, with the viewer's state on it, until the page is full. It changes nothing: when any key it
needs is missing (a timeline or author list not built, a card or a viewer
state not kept, a list that ends above the page) it answers nothing, and the
Timeline service reads the slow way, which builds what was missing. Page
after page, it shows the same tweets in the same order as the slow way.

It goes over a multiplexed connection (a tenth of redis-py's cost a call). A
Cluster can't run it (its keys lie in many slots): there every read goes the slow way.
"""

import logging

from services.common.kernel.ids import wall_clock_ms
from services.common.kernel.pagination import Page, PageRequest
from services.common.storage.redis_multiplexed import MultiplexedRedis, ReplyError
from services.timeline.adapters import redis_layout as layout
from services.timeline.domain import Card
from services.timeline.read_model import LEAVING_SECONDS, POSTS_KEPT

# KEYS: the reader's timeline, reader entry, own posts and viewer state; the accounts leaving.
# ARGV: the bound above the page ('+' or '(' .. packed cursor), the window per lane, the page size,
# leaving since (ms), ids kept per author, the two sentinels, the posts and card key prefixes.
# Returns false, or {next cursor (packed; '' at the end), then id, card, viewer state for each card shown}.
log = logging.getLogger("chirp.timeline.redis")

_PAGE = layout.LUA_KEY + """
local top, window, size, kept = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
local EXISTS, BUILDING = ARGV[6], ARGV[7]
local function lane(list, bounded)  -- ids below the cursor; nil: missing, building, or ending above the page
  local head = redis.call('ZRANGE', list, 0, 1)
  if #head == 0 or head[1] ~= EXISTS or head[2] == BUILDING then return nil end
  local ids = redis.call('ZRANGE', list, top, '(' .. BUILDING, 'BYLEX', 'REV', 'LIMIT', 0, window)
  if bounded and #ids < window and redis.call('ZCARD', list) > kept then return nil end
  return ids
end

local reader = redis.call('GET', KEYS[2])
if not reader or window > kept then return false end
local lanes = {lane(KEYS[1], false), lane(KEYS[3], true)}
if not lanes[1] or not lanes[2] then return false end
for i = 1, #reader, 8 do
  local ids = lane(key(ARGV[8], string.sub(reader, i, i + 7)), true)
  if not ids then return false end
  lanes[#lanes + 1] = ids
end

-- Each lane's head as two exact 32-bit halves (Lua's numbers hold 53 bits), so merging compares numbers.
local at, hi, lo, floor_hi, floor_lo = {}, {}, {}, nil, nil
local function advance(i)
  local id = lanes[i][at[i]]
  if id then hi[i], lo[i] = struct.unpack('>I4>I4', id) else hi[i] = nil end
end
for i, ids in ipairs(lanes) do
  if #ids >= window then  -- below its last id this lane was not read: nothing below the highest such floor
    local h, l = struct.unpack('>I4>I4', ids[#ids])
    if not floor_hi or h > floor_hi or (h == floor_hi and l > floor_lo) then floor_hi, floor_lo = h, l end
  end
  at[i] = 1
  advance(i)
end
local function take()  -- the newest id not taken yet, at or above the floor
  local best
  for i = 1, #lanes do
    if hi[i] and (not best or hi[i] > hi[best] or (hi[i] == hi[best] and lo[i] > lo[best])) then best = i end
  end
  if not best or (floor_hi and (floor_hi > hi[best] or (floor_hi == hi[best] and floor_lo > lo[best]))) then return nil end
  local id, h, l = lanes[best][at[best]], hi[best], lo[best]
  for i = 1, #lanes do
    if hi[i] == h and lo[i] == l then at[i] = at[i] + 1 advance(i) end
  end
  return id
end

local leaving = {}
for _, user in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], ARGV[4], '+inf')) do leaving[user] = true end
local page, originals, shown, last = {''}, {}, 0, nil
while shown < size do
  local id = take()
  if not id then break end
  last = id
  local card = redis.call('GET', key(ARGV[9], id))
  if not card then return false end
  local original = string.sub(card, 1, 8)
  if card ~= '' and not originals[original] and not leaving[string.sub(card, 9, 16)]
      and not leaving[string.sub(card, 17, 24)] and (original == id or redis.call('GET', key(ARGV[9], original)) ~= '') then
    local state = redis.call('HGET', KEYS[4], id)
    if not state then return false end
    originals[original] = true
    shown = shown + 1
    page[#page + 1], page[#page + 2], page[#page + 3] = id, card, state
  end
end
if last and (floor_hi or take()) then page[1] = last end
return page
"""


class RedisHomePages:
    def __init__(self, redis: MultiplexedRedis):
        self._script = redis.script(_PAGE)

    async def page(self, reader_id: int, page: PageRequest) -> Page[Card] | None:
        """The page, or None when the read model lacks something it needs."""
        top = b"(" + layout.pack_id(page.cursor) if page.cursor is not None else b"+"
        keys = [layout.timeline_key(reader_id), layout.reader_key(reader_id), layout.posts_key(reader_id),
                layout.viewer_key(reader_id), layout.LEAVING_KEY]  # fmt: skip
        since = wall_clock_ms() - LEAVING_SECONDS * 1000
        args = [top, page.size * 2, page.size, since, POSTS_KEPT, layout.EXISTS, layout.BUILDING,
                layout.POSTS_PREFIX, layout.CARD_PREFIX]  # fmt: skip
        try:
            reply = await self._script(keys, args)
        except ReplyError as error:  # a server that can't run it now (loading, busy, read-only): the slow way can
            log.warning("the warm home page script failed (%s); reading the slow way", error)
            return None
        if reply is None:
            return None
        cards = [_card(*reply[n : n + 3]) for n in range(1, len(reply), 3)]
        return Page(cards, layout.unpack_ids([reply[0]])[0] if reply[0] else None)


def _card(packed_id: bytes, value: bytes, state: bytes) -> Card:
    original_id, authors, shown = layout.unpack_card(value)
    return Card(layout.unpack_ids([packed_id])[0], original_id, authors, shown, state[0])
