"""The Lua scripts of the Redis hub: each change of shared state is one atomic call.

Keys (under a prefix, ``papo`` by default): ``last_id`` (the event counter), ``log`` (the
stream), ``members`` (a hash, member id -> JSON of its name, server, arrival, rooms, away
text, token, whom it ignores and its changes of rooms: what a server starting late or taking
a member over reads), ``name:KEY`` and ``skeleton:SKELETON`` (who holds a name, and who
holds a look-alike), ``lease:N`` (server N is alive), ``seq:N`` (the last step of server N
carried out: deleted when N stops, expiring once N is buried or gone with no member),
``servers`` (server numbers handed out), ``bans`` (a hash, address -> JSON of until when
and the name it was made for), ``epoch`` (changes when Redis lost its data: the
servers then write theirs back), ``settings`` (the options every server of the chat must
share, as its running servers have them), ``agreed`` (the servers that took them),
``lasting`` (a hash, lasting key -> the newest event of that key, as its id, a space and its
JSON: what outlives the stream, ``papo.core.lasting``) and ``lasting:order`` (those keys
scored by that id, to drop the oldest past ``LASTING_LIMIT``).

Events go into the stream under the id ``N-1`` (N their number); changes of state under
``N-*`` after the newest event N: one order for both, and ``XRANGE`` by event number.
"""

from __future__ import annotations

from papo.core.lasting import LASTING_LIMIT

# Put before every script that changes the chat's state (the hub registers ``FENCE + STEPS``):
# Redis must still have the state this server read, the epoch it has (the script's last key
# and last argument). A Redis flushed under a running chat keeps its connections open, and
# redis-py makes a broken connection anew as it hands it out: without it, a server that had not
# noticed wrote into the new state (ids from 1 again, behind where every server reads; every
# other lease gone, its server taken for dead) instead of writing the chat back first.
FENCE = """
if redis.call('GET', KEYS[#KEYS]) ~= ARGV[#ARGV] then
  return redis.error_reply('EPOCH Redis no longer has the chat this server has')
end
"""

# Steps of one server, in order, each at most once (a batch resent after a lost answer is not
# done twice): KEYS counter, stream, members, seq:N, epoch; ARGV server, stream cap, then per
# step seven values: its number, its kind, three arguments, and up to two more keys it changes
# (a name and its skeleton, or a token: one Redis, not a cluster, so they need not be KEYS),
# then the epoch.
STEPS = """
-- The keys of a member's rooms in the order joined (the last is its current room).
local function ordered(keys, key, add)
  local kept = {}
  for _, each in ipairs(keys or {}) do
    if each ~= key then kept[#kept + 1] = each end
  end
  if add then kept[#kept + 1] = key end
  return kept
end

-- What only a server taking the member over reads (from the members hash), not every server.
local unstreamed = {
  token = true, untoken = true, ignores = true, moves = true, address = true, ended = true
}

-- The newest event of a lasting key (hash: lasting, order: lasting:order), however late it
-- comes: what outlives the stream.
local function keep_lasting(hash, order, key, id, event)
  local kept = redis.call('ZSCORE', order, key)
  if kept and tonumber(kept) >= id then return end
  redis.call('HSET', hash, key, id .. ' ' .. event)
  redis.call('ZADD', order, id, key)
  local over = redis.call('ZCARD', order) - LASTING_LIMIT
  if over > 0 then
    local oldest = redis.call('ZPOPMIN', order, over)
    for j = 1, #oldest, 2 do redis.call('HDEL', hash, oldest[j]) end
  end
end

local server, cap = ARGV[1], ARGV[2]
local seen = tonumber(redis.call('GET', KEYS[4]) or '0')
local newest = seen
for i = 3, #ARGV - 1, 7 do
  local seq, kind = tonumber(ARGV[i]), ARGV[i + 1]
  local x1, x2, x3, k1, k2 = ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  if seq > seen then
    newest = seq
    if kind == 'event' then  -- x1: the event's JSON, x2: its route, x3: its lasting key
      local id = redis.call('INCR', KEYS[1])
      redis.call('XADD', KEYS[2], 'MAXLEN', '~', cap, id .. '-1',
                 'e', x1, 'r', x2, 's', server, 'q', seq)
      if x3 ~= '' then keep_lasting(k1, k2, x3, id, x1) end
    elseif kind == 'lasting' then  -- given back after Redis lost it: x1 its id, x2 its JSON
      keep_lasting(k1, k2, x3, tonumber(x1), x2)
    else  -- a change of state: x1 the member, x2 and x3 what changed
      local raw = redis.call('HGET', KEYS[3], x1)
      local member = nil
      if raw then member = cjson.decode(raw) end
      if kind == 'release' then
        if redis.call('GET', k1) == x1 then redis.call('DEL', k1) end
        if redis.call('GET', k2) == x1 then redis.call('DEL', k2) end
        if member and member.n == x2 then  -- it leaves (a rename releases its old name)
          redis.call('HDEL', KEYS[3], x1)
          x3 = member.ip or ''  -- where it came from: still bannable for a while, anywhere
          member = nil
        end
      elseif member and kind == 'enter' then
        member.r[x2] = x3
        member.o = ordered(member.o, x2, true)
      elseif member and kind == 'exit' then
        member.r[x2] = nil
        member.o = ordered(member.o, x2, false)
      elseif member and kind == 'away' then
        member.a = x2
      elseif member and kind == 'token' then  -- x2: the token's digest (hex), x3: first id
        member.k, member.f = x2, tonumber(x3)
        redis.call('SET', k1, x1)
      elseif member and kind == 'ignores' then  -- x2: whom (ids joined by ','), x3: since when
        member.g, member.gi = x2, tonumber(x3)
      elseif member and kind == 'moves' then  -- x2: its changes of rooms (JSON)
        member.m = x2
      elseif member and kind == 'operator' then
        member.p = 1
      elseif member and kind == 'address' then  -- x2: where it connects from (for a ban)
        member.ip = x2
      elseif kind == 'ban' then  -- x2: an address, x3: until when and for whom (JSON)
        redis.call('HSET', k1, x2, x3)
      elseif kind == 'unban' then
        redis.call('HDEL', k1, x2)
      elseif kind == 'ended' then  -- x2: an address whose ban ended at x3, unless banned anew
        local ban = redis.call('HGET', k1, x2)
        if ban and cjson.decode(ban).u <= tonumber(x3) then redis.call('HDEL', k1, x2) end
      elseif kind == 'untoken' then
        if redis.call('GET', k1) == x1 then redis.call('DEL', k1) end
        if member and member.k == x2 then member.k = nil end
      end
      if member then redis.call('HSET', KEYS[3], x1, cjson.encode(member)) end
      if not unstreamed[kind] then
        local last = redis.call('GET', KEYS[1]) or '0'
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', cap, last .. '-*',
                   'o', kind, 'h', x1, 'a', x2, 'b', x3, 's', server)
      end
    end
  end
end
-- KEEPTTL: a server taken for dead keeps its marks' end, if it wakes and writes once more.
if newest > seen then redis.call('SET', KEYS[4], newest, 'KEEPTTL') end
return newest
""".replace("LASTING_LIMIT", str(LASTING_LIMIT))

# Claim names, in the order asked (a batch: the users arriving on this server meanwhile, one
# call for all): KEYS members, counter, stream, then each claim's name:KEY and
# skeleton:SKELETON, then epoch; ARGV server, stream cap, then each claim's holder, name and
# arrival time, then epoch. Returns, per claim, '' when taken now, or the name held by the
# member that its name is or looks like (an earlier claim of the batch included). A member of a
# server whose lease ran out still holds its name until a survivor announces it gone (once, in
# order).
CLAIMS = """
local last = redis.call('GET', KEYS[2]) or '0'
local answers = {}
for c = 1, (#ARGV - 3) / 3 do
  local holder, name, since = ARGV[3 * c], ARGV[3 * c + 1], ARGV[3 * c + 2]
  local name_key, skeleton_key = KEYS[2 * c + 2], KEYS[2 * c + 3]
  local held_by = nil
  for _, key in ipairs({name_key, skeleton_key}) do
    local other = redis.call('GET', key)
    if other and other ~= holder then
      local raw = redis.call('HGET', KEYS[1], other)
      if raw then
        held_by = cjson.decode(raw).n
        break
      end
    end
  end
  if held_by then
    answers[c] = held_by
  else
    local raw = redis.call('HGET', KEYS[1], holder)
    local member
    if raw then  -- a rename: the old name is released by its own step
      member = cjson.decode(raw)
      member.n = name
    else
      member = {n = name, s = tonumber(ARGV[1]), t = tonumber(since), r = {}, a = ''}
    end
    redis.call('SET', name_key, holder)
    redis.call('SET', skeleton_key, holder)
    -- cjson writes an empty table as {} (an object, as wanted): rooms stay a map.
    redis.call('HSET', KEYS[1], holder, cjson.encode(member))
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], last .. '-*',
               'o', 'claim', 'h', holder, 'a', name, 'b', since, 's', ARGV[1])
    answers[c] = ''
  end
end
return answers
"""

# What a server reads at start, at one instant: the newest stream entry's id, every member
# (ARGV[2] '1'; a reconnection only compares epochs), the epoch. KEYS stream, members, epoch;
# ARGV a new epoch, set if there is none.
SNAPSHOT = """
redis.call('SET', KEYS[3], ARGV[1], 'NX')
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local at = '0-0'
if newest[1] then at = newest[1][1] end
local members = {}
if ARGV[2] == '1' then members = redis.call('HGETALL', KEYS[2]) end
return {at, members, redis.call('GET', KEYS[3])}
"""

# After Redis lost its data: numbers go on above what any server may have handed out, and
# the stream says how far this server had read (what the clients of servers that read less
# missed). KEYS counter, servers, stream; ARGV the newest event id read here, how far above it
# numbering goes on, this server's number, stream cap.
RAISE = """
local above = tonumber(ARGV[1]) + tonumber(ARGV[2])
if tonumber(redis.call('GET', KEYS[1]) or '0') < above then
  redis.call('SET', KEYS[1], above)
end
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[3]) then
  redis.call('SET', KEYS[2], ARGV[3])
end
local last = redis.call('GET', KEYS[1])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], last .. '-*',
           'o', 'renumbered', 'h', 0, 'a', ARGV[1], 'b', '', 's', ARGV[3])
return 0
"""

# A member taken over by this server: KEYS token:DIGEST, members, counter, stream, epoch; ARGV
# this server, stream cap, the member's id ('' : the one the token is for, and the token is used
# up), epoch. Returns its id and its state as it was (JSON), '' if there is none. Its server
# learns from the stream (``moved``) that it is no longer its.
TAKE = """
local holder = ARGV[3]
if holder == '' then
  holder = redis.call('GET', KEYS[1])
  if not holder then return '' end
  redis.call('DEL', KEYS[1])
end
local raw = redis.call('HGET', KEYS[2], holder)
if not raw then return '' end
local member = cjson.decode(raw)
local from = member.s
member.s = tonumber(ARGV[1])
redis.call('HSET', KEYS[2], holder, cjson.encode(member))
if from ~= member.s then
  local last = redis.call('GET', KEYS[3]) or '0'
  local why = ''
  if ARGV[3] ~= '' then why = 'buried' end  -- taken from a server taken for dead
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[2], last .. '-*',
             'o', 'moved', 'h', holder, 'a', ARGV[1], 'b', why, 's', ARGV[1])
end
return {holder, raw}
"""

# A server's lease renewed: KEYS lease:N, buried:N, epoch; ARGV the lease (ms), epoch. Returns
# 1 if the others took it for dead meanwhile.
RENEW = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 1 end
redis.call('SET', KEYS[1], 1, 'PX', ARGV[1])
return 0
"""

# A server whose lease is gone, taken for dead: KEYS lease:S, buried:S, seq:S, epoch; ARGV this
# server, how long the marks are kept (ms), epoch. Returns -1 if S is alive after all, 1 if
# this server is the first to bury it (and announces its members gone), 0 if it is not.
BURY = """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local first = redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
if first then return 1 end
return 0
"""

# The options every server of one chat must share: KEYS settings, agreed (the servers that
# took them); ARGV this server's number, the key prefix, then option and value pairs. A server
# with no other of the agreed alive sets them; any other compares, and gets back the options
# it has otherwise (option, value of the chat's, in pairs), adding the ones nobody set yet.
# Servers whose lease is gone leave ``agreed`` as they are met, so a start asks only about
# the servers running, however many started before. The caller's lease is set already, so of
# two servers starting at once the second sees the first.
AGREE = """
local me, prefix = ARGV[1], ARGV[2]
local alone = true
for _, n in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if n ~= me then
    if redis.call('EXISTS', prefix .. ':lease:' .. n) == 1 then
      alone = false
    else
      redis.call('SREM', KEYS[2], n)
    end
  end
end
if alone then redis.call('DEL', KEYS[1]) end
local differ = {}
for i = 3, #ARGV, 2 do
  local kept = redis.call('HGET', KEYS[1], ARGV[i])
  if not kept then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  elseif kept ~= ARGV[i + 1] then
    differ[#differ + 1] = ARGV[i]
    differ[#differ + 1] = kept
  end
end
if #differ == 0 then redis.call('SADD', KEYS[2], me) end
return differ
"""
