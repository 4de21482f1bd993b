import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { isEstopError } from '@estop/core';
import { runIdempotencyConformance, runSentinelCounterConformance } from '@estop/core/testing';
import { createRedisIdempotencyStore, type RedisIdempotencyStore } from './redis-idempotency-store.js';
import { createRedisSentinelCounter } from './redis-sentinel-counter.js';

const url = process.env.ESTOP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Every key this run writes starts with it, so runs never meet and cleanup removes only ours. */
const RUN_PREFIX = `estop-test:${process.pid}:${randomUUID()}:`;

/** Why Redis cannot be used, or undefined when it can. */
async function unreachable(address: string): Promise<string | undefined> {
  const client = new Redis(address, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    client.disconnect();
  }
}

const problem = await unreachable(url);

if (problem === undefined) {
  const admin = new Redis(url);
  let counter = 0;

  /** Deletes every key under `prefix`. */
  async function removeKeys(prefix: string): Promise<void> {
    for await (const keys of admin.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await admin.del(...keys);
    }
  }

  function freshPrefix(): string {
    counter += 1;
    return `${RUN_PREFIX}${counter}:`;
  }

  after(async () => {
    await removeKeys(RUN_PREFIX);
    await admin.quit();
  });

  /** An adapter on a fresh prefix whose close() also removes every key it wrote. */
  function withCleanup<Adapter extends { close?(): Promise<void> }>(open: (prefix: string) => Adapter): Adapter {
    const prefix = freshPrefix();
    const adapter = open(prefix);
    return {
      ...adapter,
      async close() {
        await adapter.close?.();
        await removeKeys(prefix);
      },
    };
  }

  runIdempotencyConformance({
    name: 'Redis idempotency store',
    clock: 'server',
    create: async () => withCleanup((prefix) => createRedisIdempotencyStore({ url, prefix })),
  });

  runSentinelCounterConformance({
    name: 'Redis sentinel counter',
    create: async () => withCleanup((prefix) => createRedisSentinelCounter({ url, prefix })),
  });

  describe('Redis sentinel counters with one prefix count together, and their groups expire', () => {
    it('two counters (two replicas) add into one window and only one resets it', async () => {
      const prefix = freshPrefix();
      const [first, second] = [
        createRedisSentinelCounter({ url, prefix }),
        createRedisSentinelCounter({ url, prefix }),
      ];
      try {
        const now = Date.now();
        const counts = await Promise.all(
          Array.from({ length: 10 }, (_, n) => (n % 2 === 0 ? first : second).add('acme', now + n, 60_000, 1, 100)),
        );
        assert.equal(Math.max(...counts), 10);
        const resets = await Promise.all([first.reset('acme'), second.reset('acme')]);
        assert.deepEqual(resets.sort(), [false, true]);
        await first.add('quiet', now, 5000, 1, 10);
        const ttl = await admin.pttl(`${prefix}quiet`);
        assert.ok(ttl > 0 && ttl <= 5000, `a group expires a window after its last event, got ${ttl}`);
      } finally {
        await Promise.all([first.close?.(), second.close?.()]);
      }
    });
  });

  describe('a Redis idempotency store keeps keys under its prefix, for as long as their ttl', () => {
    it('two stores with one prefix share keys; another prefix is independent', async () => {
      const prefix = freshPrefix();
      const stores: RedisIdempotencyStore[] = [
        createRedisIdempotencyStore({ url, prefix }),
        createRedisIdempotencyStore({ url, prefix }),
        createRedisIdempotencyStore({ url, prefix: freshPrefix() }),
      ];
      const [first, second, elsewhere] = stores as [
        RedisIdempotencyStore,
        RedisIdempotencyStore,
        RedisIdempotencyStore,
      ];
      try {
        const racing = await Promise.all(
          Array.from({ length: 50 }, (_, n) => (n % 2 === 0 ? first : second).claim('acme\nk', Date.now(), 60_000)),
        );
        const winners = racing.filter((claim) => claim.status === 'claimed');
        assert.equal(winners.length, 1);
        assert.equal((await elsewhere.claim('acme\nk', Date.now(), 60_000)).status, 'claimed');
        const winner = winners[0];
        assert.ok(winner?.status === 'claimed');
        assert.equal(await second.complete('acme\nk', winner.claimId, '{"ok":true}'), true);
        assert.deepEqual(await first.claim('acme\nk', Date.now(), 60_000), { status: 'done', result: '{"ok":true}' });
        assert.deepEqual(await admin.hgetall(`${prefix}acme\nk`), { c: winner.claimId, r: '{"ok":true}' });
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });

    it('completing a key keeps the expiry its claim set', async () => {
      const prefix = freshPrefix();
      const store = createRedisIdempotencyStore({ url, prefix });
      try {
        const claim = await store.claim('k', Date.now(), 60_000);
        assert.ok(claim.status === 'claimed');
        assert.equal(await store.complete('k', claim.claimId, 'null'), true);
        const ttl = await admin.pttl(`${prefix}k`);
        assert.ok(ttl > 0 && ttl <= 60_000, `expected the claim's ttl to remain, got ${ttl}`);
      } finally {
        await store.close();
      }
    });

    it('a client passed in is used as is and left open by close()', async () => {
      const prefix = freshPrefix();
      const client = new Redis(url);
      const store = createRedisIdempotencyStore({ client, prefix });
      try {
        assert.equal((await store.claim('k', Date.now(), 60_000)).status, 'claimed');
        await store.close();
        assert.equal(await client.exists(`${prefix}k`), 1);
        await assert.rejects(store.claim('k', Date.now(), 1000), (error) => isEstopError(error, 'unavailable'));
      } finally {
        await client.quit();
      }
    });
  });

  describe('an unreachable Redis is reported as unavailable', () => {
    it('calls reject with unavailable instead of hanging', async () => {
      const store = createRedisIdempotencyStore({ url: 'redis://127.0.0.1:1', prefix: freshPrefix() });
      try {
        await assert.rejects(store.claim('k', Date.now(), 1000), (error) => isEstopError(error, 'unavailable'));
      } finally {
        await store.close();
      }
    });
  });
} else if (process.env.CI === 'true') {
  it('Redis is reachable for the Redis idempotency store and sentinel counter tests', () => {
    assert.fail(`CI needs Redis at ${url} (set ESTOP_TEST_REDIS_URL to change it): ${problem}`);
  });
} else {
  it(
    'Redis idempotency store and sentinel counter conformance',
    { skip: `Redis is not reachable at ${url} (${problem}); start it or set ESTOP_TEST_REDIS_URL` },
    () => {},
  );
}
