"""A warm home page in one call to Redis: a script reads the read model's keys and returns the page.

It merges the reader's pushed ids with their own and their celebrities'
recent posts (newest first, below the cursor, each id once; an author's list
is read a few ids at a time, as far as the merge reaches it, and a celebrity's
list with a head is not opened until the merge reaches its head), walks them in
order, and keeps each card that is neither a tombstone, nor a retweet of a
tombstone, nor a second showing of an original, nor by an account deleted
lately, nor by an account hidden from the reader (blocked either way or
muted: the kept copy services/common/visibility keeps, as its rules say for
a home timeline), with the viewer's state on it, until the page is full. It changes nothing (but a reader's serial, below): when any key it
needs is missing (a timeline or author list not built, a card or a viewer
state or the hidden accounts not kept, a list that ends above the page) it answers nothing, and the
Timeline service reads the slow way, which builds what was missing. Page
after page, it shows the same tweets in the same order as the slow way.

A reader's first page is kept, encoded as it was answered, for
KEPT_PAGE_SECONDS, under a stamp of what it was read from: the reader's
serial (every write to their timeline, own posts or viewer state deletes
it: `redis_layout.py`), the epoch (raised by every delete's tombstones and
every deleted account), the page size, the reader's celebrities with their heads and the
reader's hidden accounts. While all of these are the same, the script
answers the kept response and reads nothing else; otherwise it reads the
page and answers the stamp with it, and the response is kept under that
stamp (a write meanwhile changed the stamp, so that page is never shown).
Counts and profiles on a kept page may lag by its lifetime, and so may a
celebrity's older id placed in their list below its head.

It goes over a multiplexed connection (a tenth of redis-py's cost a call). A
Cluster can't run it (its keys lie in many slots): there every read goes the slow way.
"""

from functools import partial

from services.common.kernel.pagination import Page, PageRequest
from services.common.storage.redis_multiplexed import MultiplexedRedis
from services.common.visibility.redis_layout import LUA_HIDDEN, hidden_key
from services.timeline.adapters import redis_layout as layout
from services.timeline.adapters.redis_page_script import LUA_PARTS, call_page_script, leaving_since_ms, page_of, top_of
from services.timeline.domain import Card, KeepablePage, KeptResponse
from services.timeline.read_model import KEPT_PAGE_SECONDS, POSTS_KEPT

# KEYS: the reader's timeline, reader entry, own posts and viewer state; the accounts leaving; the reader's hidden
# accounts; the reader's kept page and stamp; the serial and the epoch.
# ARGV: the bound above the page ('' or the packed cursor), the window per lane, the page size,
# leaving since (ms), ids kept per author, the posts, card and head key prefixes, '1' to keep a first page ('' not to).
# Returns false; or the kept response; or {next cursor (packed; '' at the end), then id, card, viewer state for each
# card shown, then (a page to keep) its stamp}.
_PAGE = """
local top, window, size, kept = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
local CARDS = ARGV[7]
""" + LUA_PARTS + LUA_HIDDEN + """
local reader = redis.call('GET', KEYS[2])
if not reader or window > kept then return false end
local authors, heads = {}, {}
for i = 1, #reader, 8 do authors[#authors + 1] = string.sub(reader, i, i + 7) end
for i = 1, #authors, 1000 do  -- MGET in slices: Lua unpacks a few thousand values at most
  local names = {}
  for j = i, math.min(i + 999, #authors) do names[#names + 1] = key(ARGV[8], authors[j]) end
  for j, head in ipairs(redis.call('MGET', unpack(names))) do heads[i + j - 1] = head end
end

-- The stamp of what a first page is read from; the kept response while it is the same.
local stamp
if ARGV[9] == '1' and top == '' then
  local hidden, serial = redis.call('GET', KEYS[6]), redis.call('GET', KEYS[8])
  if not hidden then return false end
  if not serial then
    serial = tostring(redis.call('INCR', KEYS[9]))
    redis.call('SET', KEYS[8], serial, 'EX', 3600)
  end
  local parts = {serial, redis.call('GET', KEYS[10]) or '0', size, #reader, reader, #hidden, hidden}
  for n = 1, #authors do parts[#parts + 1] = heads[n] or string.rep('\\0', 8) end
  stamp = table.concat(parts, ':')
  local page = redis.call('GET', KEYS[7])
  if page and #page > 4 + #stamp and struct.unpack('>I4', page) == #stamp and string.sub(page, 5, 4 + #stamp) == stamp then
    return string.sub(page, 5 + #stamp)
  end
end

-- A lane: a list's ids below the page, read as the merge reaches them (an author's list FIRST at first,
-- then twice as many as read so far), at most `window` in all. A celebrity's lane with a head (ARGV[8]'s
-- keys) waits unopened, ordered by its head, until the merge reaches it (most never are).
local FIRST = 2
local lanes = {}
local function open(lane, count)
  local start, ids = list_from(lane.list, top, count)
  if not start then return false end
  lane.ids, lane.at, lane.next, lane.read, lane.ended, lane.head = ids, 1, start + #ids, #ids, #ids < count, nil
  return true
end
local function add(list, bounded, count, head)
  local lane = {list = list, bounded = bounded, head = head}
  lanes[#lanes + 1] = lane
  return head or open(lane, count)
end
if not add(KEYS[1], false, window) or not add(KEYS[3], true, FIRST) then return false end
-- floor: the pushed lane gave its window, so the merge stops at its last id: a head below it is never reached
local floor = not lanes[1].ended and lanes[1].ids[#lanes[1].ids]
for n, author in ipairs(authors) do
  if not (heads[n] and floor and older(heads[n], floor)) and not add(key(ARGV[6], author), true, FIRST, heads[n]) then return false end
end

-- Each lane's head as two exact 32-bit halves (Lua's numbers hold 53 bits), so merging compares numbers.
-- stop: a lane gave its `window` ids and more may follow unread: nothing below its last can be shown.
-- trimmed: an author's list, trimmed, ended above the page: only the slow way can read on.
local hi, lo, stop, trimmed = {}, {}, false, false
local function advance(i)
  local lane = lanes[i]
  if lane.head then
    hi[i], lo[i] = struct.unpack('>I4>I4', lane.head)
    return
  end
  if lane.at > #lane.ids and not lane.ended and lane.read < window then
    local count = math.min(lane.read, window - lane.read)
    lane.ids, lane.at = redis.call('LRANGE', lane.list, lane.next, lane.next + count - 1), 1
    lane.next, lane.read, lane.ended = lane.next + #lane.ids, lane.read + #lane.ids, #lane.ids < count
  end
  local id = lane.ids[lane.at]
  if id then
    hi[i], lo[i] = struct.unpack('>I4>I4', id)
    return
  end
  hi[i] = nil
  if not lane.ended then stop = true
  elseif lane.bounded and redis.call('LLEN', lane.list) > kept then trimmed = true end
end
-- order: the lanes that have a head, by head, the newest last (popped first).
local order = {}
local function place(i)
  if not hi[i] then return end
  local low, high = 1, #order + 1
  while low < high do
    local middle, j = math.floor((low + high) / 2)
    j = order[middle]
    if hi[j] > hi[i] or (hi[j] == hi[i] and lo[j] > lo[i]) then high = middle else low = middle + 1 end
  end
  table.insert(order, low, i)
end
for i = 1, #lanes do
  advance(i)
  place(i)
end
local taken_hi, taken_lo, missing
local function take()  -- the newest id not taken yet (an id in two lanes is taken once)
  while not stop and not trimmed do
    local best = table.remove(order)
    if not best then return nil end
    local lane = lanes[best]
    if lane.head then  -- the merge reached an unopened lane: open it, and place it by its first id
      if not open(lane, FIRST) then
        missing = true
        return nil
      end
      advance(best)
      place(best)
    else
      local id, h, l = lane.ids[lane.at], hi[best], lo[best]
      lane.at = lane.at + 1
      advance(best)
      place(best)
      if h ~= taken_hi or l ~= taken_lo then
        taken_hi, taken_lo = h, l
        return id
      end
    end
  end
  return nil
end

local leaving = leaving_since(KEYS[5], ARGV[4])  -- with the accounts hidden from the reader: shown() skips both
if not hidden_into(leaving, KEYS[6]) then return false end
-- A batch at a time: as many ids as the page still needs (so no more are taken than one by one), their cards
-- in one MGET and the reader's state on them in one HMGET.
local page, originals, count, last = {''}, {}, 0, nil
local born = redis.call('HGET', KEYS[4], 'born')
while count < size do
  local ids = {}
  while #ids < size - count do
    local id = take()
    if not id then break end
    ids[#ids + 1] = id
  end
  if #ids == 0 then break end
  local names = {}
  for i, id in ipairs(ids) do names[i] = key(CARDS, id) end
  local cards, states = redis.call('MGET', unpack(names)), redis.call('HMGET', KEYS[4], unpack(ids))
  for i, id in ipairs(ids) do
    local card, original = cards[i], cards[i] and string.sub(cards[i], 1, 8)
    if not card then return false end
    last = id
    if not originals[original] and shown(id, card, leaving) then
      local state = state_of(states[i], born, id)
      if not state then return false end
      originals[original] = true
      count = count + 1
      page[#page + 1], page[#page + 2], page[#page + 3] = id, card, state
    end
  end
end
if last and (stop or take()) then page[1] = last end
if trimmed or missing then return false end
if stamp then page[#page + 1] = stamp end
return page
"""


class RedisHomePages:
    def __init__(self, redis: MultiplexedRedis):
        self._redis = redis
        self._script = redis.script(_PAGE)

    async def page(self, reader_id: int, page: PageRequest, keep: bool = False) -> Page[Card] | KeptResponse | None:
        """The page, or None when the read model lacks something it needs. With keep, a first page comes kept, or
        as a KeepablePage."""
        keys = [layout.timeline_key(reader_id), layout.reader_key(reader_id), layout.posts_key(reader_id),
                layout.viewer_key(reader_id), layout.LEAVING_KEY, hidden_key(reader_id), layout.kept_page_key(reader_id),
                layout.stamp_key(reader_id), layout.SERIAL_KEY, layout.EPOCH_KEY]  # fmt: skip
        args = [top_of(page.cursor), page.size * 2, page.size, leaving_since_ms(), POSTS_KEPT, layout.POSTS_PREFIX, layout.CARD_PREFIX,
                layout.HEAD_PREFIX, b"1" if keep else b""]  # fmt: skip
        reply = await call_page_script(self._script, keys, args, "home page")
        if reply is None:
            return None
        if isinstance(reply, bytes):
            return KeptResponse(reply)
        if len(reply) % 3 == 2:  # a stamp after the cards
            stamp = reply.pop()
            return KeepablePage(*page_of(reply), keep=partial(self._keep, reader_id, stamp))
        return Page(*page_of(reply))

    def _keep(self, reader_id: int, stamp: bytes, response: bytes) -> None:
        """Sent without waiting for Redis: a page not kept is read again."""
        self._redis.tell("SET", layout.kept_page_key(reader_id), layout.pack_kept_page(stamp, response), "EX", KEPT_PAGE_SECONDS)
