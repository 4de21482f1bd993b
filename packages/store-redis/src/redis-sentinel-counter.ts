import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SentinelCounter } from '@estop/core';
import { defineScript, openConnection } from './redis-connection.js';

/**
 * KEYS[1] the group's sorted set of event times; ARGV[1] now (ms), ARGV[2] the window (ms),
 * ARGV[3] the cap, ARGV[4] a unique member. Drops events a window old or more, adds this one,
 * keeps the latest `cap`, lets the set expire a window after its last event; returns the count.
 */
const ADD_SCRIPT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[4])
local count = redis.call('ZCARD', KEYS[1])
if count > cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - cap - 1)
  count = cap
end
redis.call('PEXPIRE', KEYS[1], window)
return count
`;

/** Where the Redis sentinel counter keeps its groups. */
export interface RedisSentinelCounterOptions {
  /** A connection URL; default `redis://127.0.0.1:6379`. Ignored with `client`. */
  url?: string | undefined;
  /** A client to use instead of opening one; `close()` leaves it open. */
  client?: Redis | undefined;
  /** Put before every key. Default `estop:sentinel:`. */
  prefix?: string | undefined;
}

/**
 * Sentinel counts on Redis, so that every control-plane replica counts into the same windows:
 * one sorted set of event times per group, changed by one Lua script, expiring by itself when
 * the group falls quiet. Times are the callers' (replicas' clocks are assumed in step to well
 * under a window).
 *
 * @example
 * const counter = createRedisSentinelCounter({ url: 'redis://cache.internal:6379', prefix: 'estop:prod:sentinel:' });
 */
export function createRedisSentinelCounter(options: RedisSentinelCounterOptions = {}): SentinelCounter {
  const prefix = options.prefix ?? 'estop:sentinel:';
  const connection = openConnection('sentinel counter', options);
  const { client, run } = connection;
  const add = defineScript(client, 'estopSentinelAdd', ADD_SCRIPT);
  return {
    add: (group, nowMs, windowMs, cap) =>
      run(async () =>
        Number(
          await add(
            prefix + group,
            String(Math.floor(nowMs)),
            String(Math.max(1, Math.ceil(windowMs))),
            String(cap),
            randomUUID(),
          ),
        ),
      ),
    reset: (group) => run(async () => (await client.del(prefix + group)) === 1),
    close: () => connection.close(),
  };
}
