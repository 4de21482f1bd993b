import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SentinelCounter } from '@estop/core';
import { defineScript, openConnection } from './redis-connection.js';

/**
 * KEYS[1] the group's sorted set of events, scored by time, each member `<amount>:<unique>`;
 * ARGV[1] now (ms), ARGV[2] the window (ms), ARGV[3] the amount, ARGV[4] the limit, ARGV[5] a
 * unique id. Drops events a window old or more, adds this one, lets go of the oldest while the
 * rest still reach the limit, lets the set expire a window after its last event; returns the
 * sum kept.
 */
const ADD_SCRIPT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[3] .. ':' .. ARGV[5])
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local amounts = {}
local sum = 0
for index, member in ipairs(members) do
  amounts[index] = tonumber(string.match(member, '^(%d+):'))
  sum = sum + amounts[index]
end
local spare = 0
while spare < #members - 1 and sum - amounts[spare + 1] >= limit do
  sum = sum - amounts[spare + 1]
  spare = spare + 1
end
if spare > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, spare - 1) end
redis.call('PEXPIRE', KEYS[1], window)
return sum
`;

/**
 * KEYS[1] as for ADD_SCRIPT; ARGV[1] now (ms), ARGV[2] the window (ms). The sum of the events
 * within the window ending now; changes nothing.
 */
const PEEK_SCRIPT = `
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (tonumber(ARGV[1]) - tonumber(ARGV[2])), '+inf')
local sum = 0
for _, member in ipairs(members) do
  sum = sum + tonumber(string.match(member, '^(%d+):'))
end
return sum
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
 * Sentinel sums on Redis, so that every control-plane replica counts into the same windows:
 * one sorted set of events per group, changed by one Lua script, expiring by itself when
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
  const peek = defineScript(client, 'estopSentinelPeek', PEEK_SCRIPT);
  return {
    add: (group, nowMs, windowMs, amount, limit) =>
      run(async () =>
        Number(
          await add(
            prefix + group,
            String(Math.floor(nowMs)),
            String(Math.max(1, Math.ceil(windowMs))),
            String(Math.max(0, Math.round(amount))),
            String(limit),
            randomUUID(),
          ),
        ),
      ),
    peek: (group, nowMs, windowMs) =>
      run(async () =>
        Number(await peek(prefix + group, String(Math.floor(nowMs)), String(Math.max(1, Math.ceil(windowMs))))),
      ),
    reset: (group) => run(async () => (await client.del(prefix + group)) === 1),
    close: () => connection.close(),
  };
}
