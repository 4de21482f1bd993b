import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { EstopError, type IdempotencyClaim, type IdempotencyStore } from '@estop/core';
import { defineScript, openConnection } from './redis-connection.js';
import { CLAIM_SCRIPT, COMPLETE_SCRIPT, RELEASE_SCRIPT } from './redis-scripts.js';

/** Where the Redis idempotency store keeps its keys. */
export interface RedisIdempotencyStoreOptions {
  /** A connection URL, e.g. `redis://cache.internal:6379/0`; default `redis://127.0.0.1:6379`. Ignored with `client`. */
  url?: string | undefined;
  /** A client to use instead of opening one; `close()` leaves it open, since its owner closes it. */
  client?: Redis | undefined;
  /** Put before every key, so that several estop deployments can share one Redis. Default `estop:idempotency:`. */
  prefix?: string | undefined;
}

/** An `IdempotencyStore` on Redis that owns a connection. */
export interface RedisIdempotencyStore extends IdempotencyStore {
  /** Closes the connection the store opened, if it opened one. */
  close(): Promise<void>;
}

function claimFromReply(reply: unknown, claimId: string): IdempotencyClaim {
  const [status, result] = reply as [string, string?];
  if (status === 'claimed') return { status: 'claimed', claimId };
  if (status === 'done' && typeof result === 'string') return { status: 'done', result };
  if (status === 'pending') return { status: 'pending' };
  throw new EstopError({ code: 'internal', message: `Redis idempotency store: unexpected reply ${String(reply)}` });
}

/**
 * Idempotency keys on Redis, for many control-plane and gateway replicas. Each operation is one Lua
 * script, so racing claimers get exactly one `claimed`. Keys expire by Redis's clock: `nowMs` is
 * not used, only `ttlMs`.
 *
 * @example
 * const idempotency = createRedisIdempotencyStore({ url: 'redis://cache.internal:6379', prefix: 'estop:prod:' });
 */
export function createRedisIdempotencyStore(options: RedisIdempotencyStoreOptions = {}): RedisIdempotencyStore {
  const prefix = options.prefix ?? 'estop:idempotency:';
  const connection = openConnection('idempotency store', options);
  const { client, run } = connection;
  const claimScript = defineScript(client, 'estopIdempotencyClaim', CLAIM_SCRIPT);
  const completeScript = defineScript(client, 'estopIdempotencyComplete', COMPLETE_SCRIPT);
  const releaseScript = defineScript(client, 'estopIdempotencyRelease', RELEASE_SCRIPT);
  return {
    claim: (key, _nowMs, ttlMs) =>
      run(async () => {
        const claimId = randomUUID();
        const ttl = String(Math.max(1, Math.ceil(ttlMs)));
        return claimFromReply(await claimScript(prefix + key, claimId, ttl), claimId);
      }),
    complete: (key, claimId, result) => run(async () => (await completeScript(prefix + key, claimId, result)) === 1),
    release: (key, claimId) => run(async () => (await releaseScript(prefix + key, claimId)) === 1),
    close: () => connection.close(),
  };
}
