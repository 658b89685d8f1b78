"""The Redis store's scripts: each change to the counts is one atomic step. Keys and prefixes come from redis_layout.py.

Ids of tweets in an author's set and in key names are decimal (Lua numbers
hold 53 bits, so the scripts never convert ids); members of the sorted sets
are packed ids, passed in by the caller.
"""

# Records several uses in one step (each as if alone, in order: a tweet given twice counts once). Returns 1 or 0 for each.
# KEYS: tags index, then for each use: its tweet record, its author's set, its author's left mark.
# ARGV: authors prefix, uses prefix, TTL seconds, then for each use: minute, trim-before minute, packed author, packed tweet,
# decimal tweet, how many tags, the tags.
ADD = """
local ttl, added, at = ARGV[3], {}, 4
for k = 2, #KEYS, 3 do
  local minute, trim, author, tweet, decimal = ARGV[at], '(' .. ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4]
  local tags = {}
  for i = at + 6, at + 5 + tonumber(ARGV[at + 5]) do
    tags[#tags + 1] = ARGV[i]
  end
  at = at + 6 + #tags
  if redis.call('EXISTS', KEYS[k]) == 1 or redis.call('EXISTS', KEYS[k + 2]) == 1 then
    added[#added + 1] = 0
  else
    redis.call('SET', KEYS[k], author .. minute .. '\\n' .. table.concat(tags, '\\n'), 'EX', ttl)
    redis.call('SADD', KEYS[k + 1], decimal)
    redis.call('EXPIRE', KEYS[k + 1], ttl)
    for _, tag in ipairs(tags) do
      local authors, uses = ARGV[1] .. tag, ARGV[2] .. tag
      redis.call('ZADD', authors, 'GT', minute, author)
      redis.call('ZADD', uses, minute, tweet)
      redis.call('ZREMRANGEBYSCORE', authors, '-inf', trim)
      redis.call('ZREMRANGEBYSCORE', uses, '-inf', trim)
      redis.call('EXPIRE', authors, ttl)
      redis.call('EXPIRE', uses, ttl)
      redis.call('ZADD', KEYS[1], 'GT', minute, tag)
    end
    added[#added + 1] = 1
  end
end
return added
"""

# KEYS: tweet record, author's set.
# ARGV: authors prefix, uses prefix, TTL seconds, packed tweet, decimal tweet, tweet record prefix, '1' when the author leaves.
# Leaves a tombstone; the author's latest minute for each tag falls back to their latest other use, if any.
REMOVE = """
local function fields(record)
  local parts = {}
  for part in string.gmatch(string.sub(record, 9), '[^\\n]+') do
    parts[#parts + 1] = part
  end
  return parts
end
local record = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], '', 'EX', ARGV[3])
if not record or record == '' then
  return 0
end
redis.call('SREM', KEYS[2], ARGV[5])
local author, tags, latest = string.sub(record, 1, 8), fields(record), {}
if ARGV[7] ~= '1' then
  for _, other in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    local found = redis.call('GET', ARGV[6] .. other)
    if not found then
      redis.call('SREM', KEYS[2], other)
    elseif found ~= '' then
      local parts = fields(found)
      local minute = tonumber(parts[1])
      for i = 2, #parts do
        latest[parts[i]] = math.max(latest[parts[i]] or minute, minute)
      end
    end
  end
end
for i = 2, #tags do
  redis.call('ZREM', ARGV[2] .. tags[i], ARGV[4])
  if latest[tags[i]] then
    redis.call('ZADD', ARGV[1] .. tags[i], 'XX', latest[tags[i]], author)
  else
    redis.call('ZREM', ARGV[1] .. tags[i], author)
  end
end
return 1
"""

# ARGV: the first key prefix, the second (or ''), the lowest minute, the highest ('+inf'), tags...
# Returns, for each tag, ZCOUNT of the first prefix's key (and of the second's): one call for a refresh's counts,
# about a millisecond of Redis time per 500 tags.
# (KEYS: the tags index, only so that a Cluster sends the call to the slot every trending key shares.)
COUNTS = """
local counts = {}
for i = 5, #ARGV do
  counts[#counts + 1] = redis.call('ZCOUNT', ARGV[1] .. ARGV[i], ARGV[3], ARGV[4])
  if ARGV[2] ~= '' then
    counts[#counts + 1] = redis.call('ZCOUNT', ARGV[2] .. ARGV[i], ARGV[3], ARGV[4])
  end
end
return counts
"""

# KEYS: the lease. ARGV: owner, lease ms. Taken when free, or renewed by its holder.
ACQUIRE = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

# KEYS: the lease. ARGV: owner. Deleted only by its holder.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: tags index. ARGV: authors prefix, uses prefix, the minute before which a tag last used is forgotten, tags...
# Checked and forgotten in one step: a tag used again since it was listed (its minute moved on) keeps its counts.
EXPIRE_TAGS = """
local forgotten = 0
for i = 4, #ARGV do
  local last = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if last and tonumber(last) < tonumber(ARGV[3]) then
    redis.call('DEL', ARGV[1] .. ARGV[i], ARGV[2] .. ARGV[i])
    redis.call('ZREM', KEYS[1], ARGV[i])
    forgotten = forgotten + 1
  end
end
return forgotten
"""
