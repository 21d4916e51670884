/**
 * The Lua scripts of the Redis room bus. Each runs atomically in Redis, so a room's sequence
 * number, its log, its members and the events announcing them always agree, and Redis's own
 * clock (TIME) is the only clock: nodes' clocks may differ.
 *
 * Keys, for a prefix `p` (default `sb:`) and a room `r`:
 * - `p room:r:seq`    last sequence number given (string)
 * - `p room:r:log`    the reliable log, a stream with IDs `<seq>-0` (fields f, b, a, t?, p?)
 * - `p room:r:bytes`  total body bytes in the log
 * - `p room:r:peers`  members: peer ID -> JSON record
 * - `p room:r:ver`    membership version, stamped on every membership event
 * - `p room:r:hpolicy` the room's history policy (JSON; `null` = none chosen: no history)
 * - `p room:r:history` the messages the policy keeps: a stream like the log, trimmed to the policy
 * - `p room:r:hbytes`  total body bytes in the history
 * - `p room:r:loss`   the last loss of logged messages (Redis lost data): marker number, highest lost
 * - `p rooms`         rooms with members
 * - `p nodes`         live nodes: node ID -> last heartbeat (Redis ms)
 * - `p lastbeat`      when any node last beat (Redis ms)
 * - `p node:n:peers`  the peers connected through node n: peer ID -> room
 * Pub/sub channels: `p room:r:events` (membership, JSON) and `p room:r:lossy` (MessagePack).
 *
 * Scripts name keys from the prefix instead of declaring them, so they need one Redis (a
 * primary), not Redis Cluster.
 */

const COMMON = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function room_key(prefix, room, what) return prefix .. 'room:' .. room .. ':' .. what end
-- What a room keeps beyond its members; it lingers, then expires, once the room is empty.
local ROOM_DATA = {'seq', 'log', 'bytes', 'ver', 'hpolicy', 'history', 'hbytes', 'loss'}
-- Announces a membership change; the version lets nodes order events against snapshots.
local function announce(prefix, room, kind, record, reason, message)
  local ver = redis.call('INCR', room_key(prefix, room, 'ver'))
  local extra = ''
  if reason then extra = ',"reason":"' .. reason .. '"' end
  if message and message ~= '' then extra = extra .. ',"message":' .. cjson.encode(message) end
  redis.call('PUBLISH', room_key(prefix, room, 'events'),
    '{"type":"' .. kind .. '","ver":' .. ver .. extra .. ',"peer":' .. record .. '}')
  return ver
end
-- A room's data outlives its last member by linger_ms (late resumes can still replay), then goes.
local function room_emptied(prefix, room, linger_ms)
  if redis.call('HLEN', room_key(prefix, room, 'peers')) > 0 then return end
  redis.call('SREM', prefix .. 'rooms', room)
  for _, what in ipairs(ROOM_DATA) do
    redis.call('PEXPIRE', room_key(prefix, room, what), linger_ms)
  end
end
local function room_used(prefix, room)
  redis.call('SADD', prefix .. 'rooms', room)
  for _, what in ipairs(ROOM_DATA) do redis.call('PERSIST', room_key(prefix, room, what)) end
end
local function remove_peer(prefix, room, peer_id, reason, linger_ms, message)
  local peers = room_key(prefix, room, 'peers')
  local record = redis.call('HGET', peers, peer_id)
  if not record then return 0 end
  redis.call('HDEL', peers, peer_id)
  redis.call('HDEL', prefix .. 'node:' .. cjson.decode(record).node .. ':peers', peer_id)
  local ver = announce(prefix, room, 'left', record, reason, message)
  room_emptied(prefix, room, linger_ms)
  return ver
end
`;

// The room's history, in the step that numbers a message: what the policy matches (type field
// `y`, topic `p`; anything with targets `t` never) joins it, and the oldest go while it holds
// more than the policy's limit or bytes (at most 100 per call; one message adds one).
const HISTORY = `
local function list_has(list, value)
  if list == nil then return true end
  if value == nil then return false end
  for _, item in ipairs(list) do if item == value then return true end end
  return false
end
local function keep_in_history(prefix, room, seq, fields)
  local text = redis.call('GET', room_key(prefix, room, 'hpolicy'))
  if not text or text == 'null' then return end
  local policy = cjson.decode(text)
  local kind, topic, size = nil, nil, 0
  for i = 1, #fields, 2 do
    local name, value = fields[i], fields[i + 1]
    if name == 't' then return end
    if name == 'y' then kind = value elseif name == 'p' then topic = value elseif name == 'b' then size = #value end
  end
  if kind == nil or not list_has(policy.types, kind) or not list_has(policy.topics, topic) then return end
  local history, hbytes = room_key(prefix, room, 'history'), room_key(prefix, room, 'hbytes')
  redis.call('XADD', history, seq .. '-0', unpack(fields))
  local bytes = redis.call('INCRBY', hbytes, size)
  for _ = 1, 100 do
    if redis.call('XLEN', history) <= 2 * policy.limit and bytes <= 2 * policy.maxBytes then break end
    local oldest = redis.call('XRANGE', history, '-', '+', 'COUNT', 1)[1]
    if not oldest then break end
    local f = oldest[2]
    for j = 1, #f, 2 do if f[j] == 'b' then bytes = redis.call('DECRBY', hbytes, #f[j + 1]) end end
    redis.call('XDEL', history, oldest[1])
  end
end
`;

/**
 * ARGV: prefix, room, mode (`replace` or `ifUnset`), policy JSON (`null` = no history),
 * lingerMs. Returns the policy in force (JSON). A policy set while the room has no members
 * expires with the room's other data.
 */
export const SET_HISTORY_POLICY = `${COMMON}
local prefix, room, mode, text, linger = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local key = room_key(prefix, room, 'hpolicy')
local current = redis.call('GET', key)
if current and mode ~= 'replace' then return current end
redis.call('SET', key, text)
if text == 'null' then
  redis.call('DEL', room_key(prefix, room, 'history'), room_key(prefix, room, 'hbytes'))
end
if redis.call('HLEN', room_key(prefix, room, 'peers')) == 0 then redis.call('PEXPIRE', key, linger) end
return text
`;

/** ARGV: prefix, room. Returns [policy JSON or false, last seq, history entries], read at one instant. */
export const READ_HISTORY = `${COMMON}
local prefix, room = ARGV[1], ARGV[2]
local policy = redis.call('GET', room_key(prefix, room, 'hpolicy'))
local last = tonumber(redis.call('GET', room_key(prefix, room, 'seq')) or '0')
return {policy, last, redis.call('XRANGE', room_key(prefix, room, 'history'), '-', '+')}
`;

/**
 * ARGV: prefix, room, maxBytes, maxAgeMs, minRetainMs, deadline, from, body, then optional field
 * pairs (`t` JSON targets, `p` topic, `y` type). Returns { seq, at }, or { 0, at } without
 * logging anything when Redis runs it after `deadline` (Redis ms): the node that sent it has
 * given up on the answer by then and told the sender it was not sent, so it must never be.
 *
 * The log is trimmed from its oldest end: what is older than maxAgeMs, and what is above
 * maxBytes once older than minRetainMs (every node's reader must get to read it first). At most
 * 100 entries per call, so the script stays short; the next call goes on.
 */
export const PUBLISH = `${COMMON}
${HISTORY}
local prefix, room = ARGV[1], ARGV[2]
local max_bytes, max_age, min_retain = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_ms()
if now > tonumber(ARGV[6]) then return {0, now} end
local seq = redis.call('INCR', room_key(prefix, room, 'seq'))
local log = room_key(prefix, room, 'log')
local fields = {'f', ARGV[7], 'b', ARGV[8], 'a', now}
for i = 9, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', log, seq .. '-0', unpack(fields))
local bytes_key = room_key(prefix, room, 'bytes')
local bytes = redis.call('INCRBY', bytes_key, #ARGV[8])
for _ = 1, 100 do
  local oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)[1]
  if not oldest then break end
  local size, at = 0, now
  local f = oldest[2]
  for j = 1, #f, 2 do
    if f[j] == 'b' then size = #f[j + 1] elseif f[j] == 'a' then at = tonumber(f[j + 1]) end
  end
  local age = now - at
  if not (age > max_age or (bytes > max_bytes and age > min_retain)) then break end
  redis.call('XDEL', log, oldest[1])
  bytes = redis.call('DECRBY', bytes_key, size)
end
keep_in_history(prefix, room, seq, fields)
return {seq, now}
`;

/** ARGV: prefix, room, afterSeq. Returns [lastSeq, entries after afterSeq], read at one instant. */
export const REPLAY = `${COMMON}
local prefix, room, after = ARGV[1], ARGV[2], tonumber(ARGV[3])
local last = tonumber(redis.call('GET', room_key(prefix, room, 'seq')) or '0')
return {last, redis.call('XRANGE', room_key(prefix, room, 'log'), '(' .. after .. '-0', '+')}
`;

/**
 * ARGV: prefix, room, peerId, node, record (JSON). Adds or replaces the member and announces it
 * (`joined` or `updated`); an identical record changes nothing. Returns the version, or 0.
 */
export const PUT_PEER = `${COMMON}
local prefix, room, peer_id, node, record = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local peers = room_key(prefix, room, 'peers')
local old = redis.call('HGET', peers, peer_id)
if old == record then return 0 end
if old then
  local old_node = cjson.decode(old).node
  if old_node ~= node then redis.call('HDEL', prefix .. 'node:' .. old_node .. ':peers', peer_id) end
end
redis.call('HSET', peers, peer_id, record)
redis.call('HSET', prefix .. 'node:' .. node .. ':peers', peer_id, room)
room_used(prefix, room)
if old then return announce(prefix, room, 'updated', record) end
return announce(prefix, room, 'joined', record)
`;

/**
 * ARGV: prefix, room, peerId, reason, lingerMs, message (a kick's reason, or empty). Returns the
 * version of the `left` event, or 0 if absent.
 */
export const REMOVE_PEER = `${COMMON}
return remove_peer(ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6])
`;

/** ARGV: prefix, room. Returns [version, records…]: a snapshot to order later events against. */
export const SNAPSHOT = `${COMMON}
local prefix, room = ARGV[1], ARGV[2]
local ver = tonumber(redis.call('GET', room_key(prefix, room, 'ver')) or '0')
local result = {ver}
for _, record in ipairs(redis.call('HVALS', room_key(prefix, room, 'peers'))) do result[#result + 1] = record end
return result
`;

/**
 * ARGV: prefix, room, seq, jump, lingerMs. Called by a node that has seen the room's numbering reach `seq`
 * (delivered or published) when it reaches Redis again. Redis below that lost messages (it
 * restarted without them, or a replica that lacked them took over): numbering goes on at
 * `seq + jump`, above anything another node may have seen too, so no number is ever given to
 * two messages, and a marker entry there (field `x`: the highest lost number known) tells every
 * reader which numbers it may have missed. A node that reports a higher lost number later, in
 * the same episode (`room:r:loss`: the marker's number `at` and `max`), adds another marker;
 * one that reports a number from after the first marker (its reader read it) adds nothing.
 * Returns the marker's number, or 0 if nothing was lost as far as this node knows.
 */
export const SEED_SEQ = `${COMMON}
local prefix, room, seen, jump = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local key, loss = room_key(prefix, room, 'seq'), room_key(prefix, room, 'loss')
local current = tonumber(redis.call('GET', key) or '0')
local at
if current < seen then
  at = seen + jump
  redis.call('SET', key, at)
  redis.call('HSET', loss, 'at', at, 'max', seen)
else
  local episode = redis.call('HMGET', loss, 'at', 'max')
  -- A number at or above the marker is one this node read after the loss: nothing to add.
  if not episode[1] or tonumber(episode[2]) >= seen or seen >= tonumber(episode[1]) then return 0 end
  redis.call('HSET', loss, 'max', seen)
  at = redis.call('INCR', key)
end
local now = now_ms()
redis.call('XADD', room_key(prefix, room, 'log'), at .. '-0', 'x', seen, 'e', redis.call('HGET', loss, 'at'), 'a', now)
if redis.call('HLEN', room_key(prefix, room, 'peers')) == 0 then
  redis.call('PEXPIRE', loss, tonumber(ARGV[5]))
end
return at
`;

/**
 * ARGV: prefix, nodeId, ttlMs. Records this node's heartbeat. Returns [1 if the node was not
 * registered (first beat, Redis lost its data, or the node was declared dead), Redis's time in
 * ms, nodes overdue…].
 *
 * When no node at all beat for half a TTL, Redis itself was frozen (or unreachable to all):
 * nobody could beat, so every node gets a fresh TTL instead of being declared dead.
 */
export const HEARTBEAT = `${COMMON}
local prefix, node, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = now_ms()
local nodes, last = prefix .. 'nodes', prefix .. 'lastbeat'
local previous = tonumber(redis.call('GET', last) or '0')
redis.call('SET', last, now)
local result = {redis.call('ZADD', nodes, now, node), now}
if previous > 0 and now - previous > ttl / 2 then
  local all = redis.call('ZRANGE', nodes, 0, -1)
  for _, member in ipairs(all) do redis.call('ZADD', nodes, now, member) end
  return result
end
for _, overdue in ipairs(redis.call('ZRANGEBYSCORE', nodes, '-inf', now - ttl)) do
  result[#result + 1] = overdue
end
return result
`;

/** ARGV: prefix, ttlMs. Returns the nodes whose last heartbeat is recent. */
export const LIVE_NODES = `${COMMON}
return redis.call('ZRANGEBYSCORE', ARGV[1] .. 'nodes', now_ms() - tonumber(ARGV[2]), '+inf')
`;

/**
 * ARGV: prefix, deadNode, ttlMs, lingerMs. Removes an overdue node and its peers (reason
 * `nodeLost`), once: of several nodes reaping at the same time, only the first finds it overdue.
 * Returns the number of peers removed, or -1 if the node was not overdue (any more).
 */
export const REAP_NODE = `${COMMON}
local prefix, node, ttl, linger = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local score = redis.call('ZSCORE', prefix .. 'nodes', node)
if not score or tonumber(score) > now_ms() - ttl then return -1 end
redis.call('ZREM', prefix .. 'nodes', node)
local index = prefix .. 'node:' .. node .. ':peers'
local list = redis.call('HGETALL', index)
local removed = 0
for i = 1, #list, 2 do
  if remove_peer(prefix, list[i + 1], list[i], 'nodeLost', linger) ~= 0 then removed = removed + 1 end
end
redis.call('DEL', index)
return removed
`;
