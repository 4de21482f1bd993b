// The Lua scripts behind the idempotency store. Each runs atomically in Redis, so a key's check and
// its change are one step for every client. A key is a hash: `c` the claim id, `r` the result.
// Expiry is Redis's own (PEXPIRE at claim time); HSET on an existing key keeps its expiry, so a
// result lives exactly as long as the claim that produced it.

/** KEYS[1] the key; ARGV[1] a new claim id, ARGV[2] the ttl in ms. Returns {status[, result]}. */
export const CLAIM_SCRIPT = `
local held = redis.call('HMGET', KEYS[1], 'c', 'r')
if held[1] then
  if held[2] then return {'done', held[2]} end
  return {'pending'}
end
redis.call('HSET', KEYS[1], 'c', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {'claimed'}
`;

/** KEYS[1] the key; ARGV[1] the claim id, ARGV[2] the result. Returns 1 if stored, 0 if not held. */
export const COMPLETE_SCRIPT = `
if redis.call('HGET', KEYS[1], 'c') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'r', ARGV[2])
  return 1
end
return 0
`;

/** KEYS[1] the key; ARGV[1] the claim id. Returns 1 if released, 0 if not held. */
export const RELEASE_SCRIPT = `
if redis.call('HGET', KEYS[1], 'c') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;
