package redisstore

import "github.com/redis/go-redis/v9"

// Lua scripts. Each runs atomically on one server. Numbers travel as decimal
// strings and are handed back to Redis unchanged; tonumber is used only to
// compare Unix milliseconds, which doubles hold exactly.
//
// Scripts named single* run only on a standalone server (or a Sentinel-managed
// primary): they reach the owner's index key, or the sessions of an index,
// through key names read from the data, which Redis allows outside cluster
// mode. Scripts named slot* touch only KEYS[1], so they run on any topology.

// Index keys never get a TTL, so that no volatile-* eviction policy can
// evict them (see eviction.go). An index empties, and Redis deletes it, when
// its last entry is removed or trimmed. Scripts that add to an index also
// PERSIST it: indexes written by earlier versions of this package carried a
// TTL.

// luaLib is prepended to the scripts that need it.
const luaLib = `
-- owner returns the encoded user ID stored in a session value, or nil when
-- the key is missing or holds something else.
local function owner(key)
  local h = redis.call('GETRANGE', key, 0, 20)
  if #h < 21 or string.byte(h, 1) ~= 1 then return nil end
  local a, b, c, d = string.byte(h, 18, 21)
  local n = ((a * 256 + b) * 256 + c) * 256 + d
  if n == 0 then return '' end
  return redis.call('GETRANGE', key, 21, 20 + n)
end
`

// singleSave: KEYS session, index; ARGV value, expiresAt, now, id.
// Returns 0 when the ID exists (nothing changed), 1 when saved or when the
// record is already expired (accepted, stored nowhere).
var singleSave = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if tonumber(ARGV[2]) <= tonumber(ARGV[3]) then return 1 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
redis.call('PERSIST', KEYS[2])
return 1
`)

// singleUpdate: KEYS session; ARGV now, expiresAt, expiresAt as 8 bytes,
// index key prefix, id. Returns 1 when updated, 0 when the session is missing
// or expired (nothing is created), -1 when the key holds something else.
// The session's own expiry (PEXPIRETIME) always equals its stored ExpiresAt.
var singleUpdate = redis.NewScript(luaLib + `
local e = redis.call('PEXPIRETIME', KEYS[1])
if e == -2 then return 0 end
if e == -1 then return -1 end
local now = tonumber(ARGV[1])
if e <= now then return 0 end
local u = owner(KEYS[1])
if not u then return -1 end
local idx = ARGV[4] .. u
redis.call('ZREMRANGEBYSCORE', idx, '-inf', ARGV[1])
if tonumber(ARGV[2]) <= now then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', idx, ARGV[5])
else
  redis.call('SETRANGE', KEYS[1], 1, ARGV[3])
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
  redis.call('ZADD', idx, ARGV[2], ARGV[5])
  redis.call('PERSIST', idx)
end
return 1
`)

// singleDelete: KEYS session; ARGV now, index key prefix, id.
var singleDelete = redis.NewScript(luaLib + `
local u = owner(KEYS[1])
redis.call('DEL', KEYS[1])
if not u then return 0 end
local idx = ARGV[2] .. u
redis.call('ZREM', idx, ARGV[3])
redis.call('ZREMRANGEBYSCORE', idx, '-inf', ARGV[1])
return 1
`)

// singleDeleteUser: KEYS index; ARGV session key prefix, owner field.
// Deletes every session of the index that the user owns, then the index.
var singleDeleteUser = redis.NewScript(`
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local last = 16 + #ARGV[2]
for _, id in ipairs(ids) do
  local k = ARGV[1] .. id
  if redis.call('GETRANGE', k, 17, last) == ARGV[2] then redis.call('DEL', k) end
end
redis.call('DEL', KEYS[1])
return #ids
`)

// slotIndexAdd: KEYS index; ARGV now, score, id. Adds or raises (never
// lowers) the member's score, so an index score is never below the expiry
// of the session it names, whatever the order of concurrent writers.
var slotIndexAdd = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[3])
redis.call('PERSIST', KEYS[1])
return 1
`)

// slotIndexRemove: KEYS index; ARGV now, ids...
var slotIndexRemove = redis.NewScript(`
if #ARGV > 1 then redis.call('ZREM', KEYS[1], unpack(ARGV, 2)) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return 1
`)

// slotSave: KEYS session; ARGV value, expiresAt, now, owner field.
// Returns 1 when saved (or accepted as already expired), 0 when the ID
// belongs to another user, 2 when it exists and is the same user's.
var slotSave = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('GETRANGE', KEYS[1], 17, 16 + #ARGV[4]) == ARGV[4] then return 2 end
  return 0
end
if tonumber(ARGV[2]) > tonumber(ARGV[3]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
end
return 1
`)

// slotUpdate: KEYS session; ARGV now, expiresAt, expiresAt as 8 bytes.
// Same answers as singleUpdate; the index is the caller's business.
var slotUpdate = redis.NewScript(`
local e = redis.call('PEXPIRETIME', KEYS[1])
if e == -2 then return 0 end
if e == -1 then return -1 end
if e <= tonumber(ARGV[1]) then return 0 end
if tonumber(ARGV[2]) <= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
else
  redis.call('SETRANGE', KEYS[1], 1, ARGV[3])
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
end
return 1
`)

// slotDeleteOwned: KEYS session; ARGV owner field. Deletes the session only
// if this user owns it, so a stale index entry can never delete another
// user's session.
var slotDeleteOwned = redis.NewScript(`
if redis.call('GETRANGE', KEYS[1], 17, 16 + #ARGV[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// slotSweep: KEYS index; ARGV now. Trims the expired entries of an index
// (an index left with none is deleted) and clears an earlier version's TTL,
// unless the key is not a sorted set (then it is not the store's).
var slotSweep = redis.NewScript(`
if redis.call('TYPE', KEYS[1]).ok ~= 'zset' then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('PERSIST', KEYS[1])
return 1
`)

// allScripts is every script, for loading them ahead of time.
var allScripts = []*redis.Script{singleSave, singleUpdate, singleDelete, singleDeleteUser,
	slotIndexAdd, slotIndexRemove, slotSave, slotUpdate, slotDeleteOwned, slotSweep}
