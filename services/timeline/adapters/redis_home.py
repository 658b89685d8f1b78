"""A warm home page in one call to Redis: a script reads the read model's keys and returns the page.

It merges the reader's pushed ids with their own and their celebrities'
recent posts (newest first, below the cursor, each id once), walks them in
order, and keeps each card that is neither a tombstone, nor a retweet of a
tombstone, nor a second showing of an original, nor by an account deleted
lately, nor by an account hidden from the reader (blocked either way or
muted: the kept copy services/common/visibility keeps, as its rules say for
a home timeline), with the viewer's state on it, until the page is full. It changes nothing: when any key it
needs is missing (a timeline or author list not built, a card or a viewer
state or the hidden accounts not kept, a list that ends above the page) it answers nothing, and the
Timeline service reads the slow way, which builds what was missing. Page
after page, it shows the same tweets in the same order as the slow way.

It goes over a multiplexed connection (a tenth of redis-py's cost a call). A
Cluster can't run it (its keys lie in many slots): there every read goes the slow way.
"""

from services.common.kernel.pagination import Page, PageRequest
from services.common.storage.redis_multiplexed import MultiplexedRedis
from services.common.visibility.redis_layout import LUA_HIDDEN, hidden_key
from services.timeline.adapters import redis_layout as layout
from services.timeline.adapters.redis_page_script import LUA_PARTS, leaving_since_ms, run_page, top_of
from services.timeline.domain import Card
from services.timeline.read_model import POSTS_KEPT

# KEYS: the reader's timeline, reader entry, own posts and viewer state; the accounts leaving; the reader's hidden accounts.
# ARGV: the bound above the page ('' or the packed cursor), the window per lane, the page size,
# leaving since (ms), ids kept per author, the posts and card key prefixes.
# Returns false, or {next cursor (packed; '' at the end), then id, card, viewer state for each card shown}.
_PAGE = """
local top, window, size, kept = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
local CARDS = ARGV[7]
""" + LUA_PARTS + LUA_HIDDEN + """
local reader = redis.call('GET', KEYS[2])
if not reader or window > kept then return false end
local lanes = {lane(KEYS[1], false), lane(KEYS[3], true)}
if not lanes[1] or not lanes[2] then return false end
for i = 1, #reader, 8 do
  local ids = lane(key(ARGV[6], string.sub(reader, i, i + 7)), true)
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

local leaving = leaving_since(KEYS[5], ARGV[4])  -- with the accounts hidden from the reader: shown() skips both
if not hidden_into(leaving, KEYS[6]) then return false end
local page, originals, count, last = {''}, {}, 0, nil
while count < size do
  local id = take()
  if not id then break end
  last = id
  local card = redis.call('GET', key(CARDS, id))
  if not card then return false end
  if not originals[string.sub(card, 1, 8)] and shown(id, card, leaving) then
    local state = redis.call('HGET', KEYS[4], id)
    if not state then return false end
    originals[string.sub(card, 1, 8)] = true
    count = count + 1
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
        keys = [layout.timeline_key(reader_id), layout.reader_key(reader_id), layout.posts_key(reader_id),
                layout.viewer_key(reader_id), layout.LEAVING_KEY, hidden_key(reader_id)]  # fmt: skip
        args = [top_of(page.cursor), page.size * 2, page.size, leaving_since_ms(), POSTS_KEPT, layout.POSTS_PREFIX, layout.CARD_PREFIX]
        return await run_page(self._script, keys, args, "home page")
