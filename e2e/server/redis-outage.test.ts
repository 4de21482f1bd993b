import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createGuard } from '@estop/sdk';
import { createRedisIdempotencyStore, createRedisSentinelCounter } from '@estop/store-redis';
import { eventually, startTestControlPlane } from '../../packages/server/test/harness.js';
import { redisReady, redisUrl } from '../../packages/server/test/redis-probe.js';
import { startTcpProxy } from '../../packages/server/test/tcp-proxy.js';

const FLOOD = {
  name: 'flood',
  signal: 'writes',
  per: 'tenant',
  threshold: 3,
  windowMs: 60_000,
  mode: 'read_only',
} as const;

describe('Redis unreachable: decisions are unaffected, claims are refused, counts are lost, and it recovers by itself', () => {
  it('a partition between the control plane and Redis, then its end', async (context) => {
    if (!(await redisReady(context))) return;
    const target = new URL(redisUrl);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const through = `redis://127.0.0.1:${proxy.address.port}`;
    const prefix = `estop:test:${randomBytes(4).toString('hex')}:`;
    const errors: string[] = [];
    const cp = await startTestControlPlane({
      idempotency: createRedisIdempotencyStore({ url: through, prefix }),
      sentinelCounter: createRedisSentinelCounter({ url: through, prefix: `${prefix}sentinel:` }),
      sentinels: [FLOOD],
      logger: { info: () => {}, error: (message) => errors.push(message) },
    });
    const enforcer = await cp.token('enforcer');
    const guard = createGuard({ url: cp.url, token: enforcer, onError: () => {} });
    const claim = (key: string) =>
      cp.request('/v1/idempotency/claim', {
        token: enforcer,
        body: { tenant: 'acme', tool: 'email.send', key, windowMs: 60_000 },
      });
    const observeWrites = (tenant: string) =>
      cp.request('/v1/idempotency/batch', {
        token: enforcer,
        body: {
          ops: Array.from({ length: FLOOD.threshold }, () => ({
            op: 'observed',
            kind: 'write',
            tenant,
            tool: 'email.send',
          })),
        },
      });
    try {
      await guard.ready();
      const stopped = await cp.request('/v1/rules', {
        body: { scope: { tenant: 'stopped' }, mode: 'read_only', reason: 'standing stop' },
      });
      assert.equal(stopped.status, 201);
      await eventually(() => guard.version >= stopped.body.version);
      assert.equal((await claim('before')).body.status, 'claimed');

      proxy.cut();
      // Decisions do not touch Redis.
      assert.equal(guard.decide({ tenant: 'stopped', tool: 'email.send' }).outcome, 'deny');
      assert.equal(guard.decide({ tenant: 'acme', tool: 'email.send' }).outcome, 'allow');
      // A claim that cannot reach the keys is refused, so the write is not run: a 503 problem, not a hang.
      const refused = await claim('during');
      assert.equal(refused.status, 503);
      assert.equal(refused.type, 'application/problem+json');
      assert.equal(refused.body.code, 'unavailable');
      // Sentinel counts while Redis is away are lost (logged), and trip nothing; the report is accepted.
      const observed = await observeWrites('counted-during');
      assert.equal(observed.status, 200);
      await eventually(() => errors.filter((message) => message === 'sentinel count failed').length >= FLOOD.threshold);
      assert.deepEqual(
        (await cp.request('/v1/rules')).body.rules.filter((rule: any) => rule.scope.tenant === 'counted-during'),
        [],
      );

      proxy.restore();
      // Back by itself: claims are answered again, and counting trips the sentinel.
      await eventually(async () => (await claim('after')).status === 200, 20_000);
      assert.equal((await claim('after')).body.status, 'pending');
      assert.equal((await observeWrites('counted-after')).status, 200);
      await eventually(async () =>
        (await cp.request('/v1/rules')).body.rules.some((rule: any) => rule.scope.tenant === 'counted-after'),
      );
    } finally {
      await guard.close();
      await cp.close();
      await proxy.close();
    }
  });
});
