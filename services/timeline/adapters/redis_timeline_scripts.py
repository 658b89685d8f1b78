"""The scripts that read and change timeline lists (`redis_layout.py` lays them out; `redis_cache.py` runs them).

Each reads or changes a timeline atomically. ADD and REMOVE take many timelines a call on one server, one on a Cluster.
The scripts that change lists take, after the lists, the stamp of each list's user, in the same order, and delete
the stamp of each list they change: a reader's first page kept under it is not shown again.
"""

from services.timeline.adapters.redis_layout import LUA_LISTS

# KEYS: timelines, then their users' stamps; ARGV: capacity, TTL seconds, packed ids ascending, each once. Returns the ids added, over all timelines.
# place(list, last): puts ARGV[3..last] (none above the newest id) in order, walking from the head a block
# at a time (8 entries, then 64; a block wholly above the id is passed over on one comparison), as far as capacity.
ADD = LUA_LISTS + """
local capacity, ttl, added = tonumber(ARGV[1]), tonumber(ARGV[2]), 0
local function push(command, list, values)  -- in slices: Lua unpacks a few thousand values at most
  for i = 1, #values, 1000 do redis.call(command, list, unpack(values, i, math.min(i + 999, #values))) end
end
local function place(list, last)
  local block, first, j, size = {}, 1, 1, 8  -- block holds the entries from index first on
  for i = last, 3, -1 do
    local id = ARGV[i]
    while true do
      if j > #block then
        first, block, j = first + #block, redis.call('LRANGE', list, first + #block, first + #block + size - 1), 1
        size = 64
        if #block == 0 then break end
        if older(id, block[#block]) then j = #block + 1 end
      elseif older(id, block[j]) then j = j + 1
      else break end
    end
    local at = first + j - 1
    if at > capacity then return end  -- it and the rest would be trimmed
    if not block[j] then  -- below every id: the rest go at the tail
      local tail = {}
      for k = i, math.max(3, i - capacity + at), -1 do tail[#tail + 1] = ARGV[k] end
      added = added + #tail
      push('RPUSH', list, tail)
      return
    elseif block[j] ~= id then
      redis.call('LINSERT', list, 'BEFORE', block[j], id)
      first, added = first + 1, added + 1
    end
  end
end
local lists = #KEYS / 2
for n = 1, lists do
  local list, before = KEYS[n], added
  local head = redis.call('LRANGE', list, 0, 1)
  if head[1] == EXISTS or head[1] == BUILDING then
    local lowest = math.max(3, #ARGV - capacity + 1)  -- ids below ARGV[lowest] would not be kept
    local fresh = lowest  -- ARGV[fresh..] are above the newest id
    if head[2] then
      fresh = #ARGV + 1
      while fresh > lowest and older(head[2], ARGV[fresh - 1]) do fresh = fresh - 1 end
      if fresh > lowest then place(list, fresh - 1) end
    end
    if fresh <= #ARGV then
      local above = {}  -- the rest, then the state, each pushed in front of the one before
      for i = fresh + 1, #ARGV do above[#above + 1] = ARGV[i] end
      above[#above + 1] = head[1]
      redis.call('LSET', list, 0, ARGV[fresh])
      push('LPUSH', list, above)
      added = added + #ARGV - fresh + 1
    end
    redis.call('LTRIM', list, 0, capacity)
    redis.call('EXPIRE', list, ttl, 'NX')
    if added > before then redis.call('DEL', KEYS[lists + n]) end
  end
end
return added
"""

# KEYS: timelines, then their users' stamps; ARGV: packed ids. Returns the ids removed, over all timelines.
REMOVE = """
local removed, lists = 0, #KEYS / 2
for n = 1, lists do
  local before = removed
  for _, id in ipairs(ARGV) do removed = removed + redis.call('LREM', KEYS[n], 0, id) end
  if removed > before then redis.call('DEL', KEYS[lists + n]) end
end
return removed
"""

# KEYS: a timeline, then its user's stamp; ARGV: its new state, and a TTL ('' to keep it). Marks an existing
# timeline; BUILDING also starts a missing one.
MARK = LUA_LISTS + """
redis.call('DEL', KEYS[2])
local head = redis.call('LINDEX', KEYS[1], 0)
if head == EXISTS or head == BUILDING then
  redis.call('LSET', KEYS[1], 0, ARGV[1])
elseif ARGV[1] == BUILDING then
  redis.call('LPUSH', KEYS[1], BUILDING)
end
if ARGV[2] ~= '' then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
"""

# KEYS: a timeline; ARGV: the packed id above the window ('' for none), how many. nil when missing or building.
WINDOW = LUA_LISTS + "return ids_below(KEYS[1], ARGV[1], tonumber(ARGV[2])) or false"
