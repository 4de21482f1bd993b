import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scopedIdempotencyKey, type Store } from '@estop/core';
import { createPostgresStore } from '@estop/store-postgres';
import { Redis } from 'ioredis';
import { createRedisIdempotencyStore } from '@estop/store-redis';
import { createSqliteStore } from '@estop/store-sqlite';
import { startServer, type ControlPlaneOptions } from '../src/index.js';
import { sha256Hex } from '../src/tokens/token-secret.js';
import {
  approvalApprovedAndUsedOnce,
  approvalDenied,
  approvalVoidedByNewerRule,
  auditChainVerifies,
  idempotencyAcrossReplicas,
  unique,
  type Replicas,
} from './governance-cases.js';
import { eventually, startTestControlPlane } from './harness.js';
import { databaseUrl, postgresSchema } from './postgres-schema.js';
import { redisReady, redisUrl } from './redis-probe.js';

/** Two real control planes on one store, each opening its own connection to it. */
async function replicasOn(
  createStore: () => Store,
  extra: () => Partial<ControlPlaneOptions> = () => ({}),
): Promise<Replicas & { close(): Promise<void> }> {
  const first = await startTestControlPlane({ store: createStore(), replicaPollMs: 50, ...extra() });
  const second = await startTestControlPlane({ store: createStore(), replicaPollMs: 50, ...extra() });
  return { first, second, close: async () => void (await Promise.all([first.close(), second.close()])) };
}

async function everyCase(replicas: Replicas): Promise<void> {
  await approvalApprovedAndUsedOnce(replicas);
  await approvalDenied(replicas);
  await approvalVoidedByNewerRule(replicas);
  await idempotencyAcrossReplicas(replicas);
  await auditChainVerifies(replicas.first);
}

describe('approvals and idempotency end to end on real stores, across two control planes', () => {
  it('on one SQLite file', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'estop-governance-')), 'estop.db');
    const replicas = await replicasOn(() => createSqliteStore({ file, sha256: sha256Hex }));
    try {
      await everyCase(replicas);
    } finally {
      await replicas.close();
    }
  });

  const postgres = postgresSchema('estop_governance');
  after(() => postgres.drop());

  it('on PostgreSQL', async (context) => {
    if (!(await postgres.ready(context))) return;
    const { schema } = postgres;
    const replicas = await replicasOn(() => createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema }));
    try {
      await everyCase(replicas);
    } finally {
      await replicas.close();
    }
  });

  it('with idempotency keys in Redis', async (context) => {
    if (!(await redisReady(context))) return;
    const file = join(await mkdtemp(join(tmpdir(), 'estop-governance-redis-')), 'estop.db');
    const prefix = `${unique('estop-test')}:`;
    const replicas = await replicasOn(
      () => createSqliteStore({ file, sha256: sha256Hex }),
      () => ({ idempotency: createRedisIdempotencyStore({ url: redisUrl, prefix }) }),
    );
    try {
      await idempotencyAcrossReplicas(replicas);
      await auditChainVerifies(replicas.first);
      // The keys are in Redis: a claim made through the control plane holds there.
      const claimed = await replicas.first.request('/v1/idempotency/claim', {
        body: { tenant: 'acme', tool: 'email.send', key: 'in-redis', windowMs: 60_000 },
      });
      assert.equal(claimed.body.status, 'claimed');
      const direct = createRedisIdempotencyStore({ url: redisUrl, prefix });
      try {
        const found = await direct.claim(scopedIdempotencyKey('acme', 'email.send', 'in-redis'), Date.now(), 60_000);
        assert.deepEqual(found, { status: 'pending' });
      } finally {
        await direct.close();
      }
    } finally {
      await replicas.close();
    }
  });

  it('estop serve keeps idempotency keys and sentinel counts in Redis when the config names it', async (context) => {
    if (!(await redisReady(context))) return;
    const data = await mkdtemp(join(tmpdir(), 'estop-serve-redis-'));
    const prefix = `${unique('estop-serve')}:`;
    const config = join(data, 'estop.yaml');
    await writeFile(
      config,
      `redis:\n  url: ${redisUrl}\n  prefix: "${prefix}"\nsentinel:\n  - {name: flood, signal: writes, threshold: 2, window: 1m}\n`,
    );
    const silent = { info: () => {}, error: () => {} };
    const admin = 'estop_serve-redis-admin';
    const { url, controlPlane } = await startServer({ config, data, port: 0 }, { ESTOP_ADMIN_TOKEN: admin }, silent);
    const direct = createRedisIdempotencyStore({ url: redisUrl, prefix });
    try {
      const response = await fetch(`${url}/v1/idempotency/claim`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'acme', tool: 'email.send', key: 'served', windowMs: 60_000 }),
      });
      assert.equal(((await response.json()) as { status: string }).status, 'claimed');
      const found = await direct.claim(scopedIdempotencyKey('acme', 'email.send', 'served'), Date.now(), 60_000);
      assert.deepEqual(found, { status: 'pending' });
      // The sentinel counted that write in Redis, under the same prefix, where another replica counts too.
      const redis = new Redis(redisUrl);
      try {
        await eventually(async () => (await redis.zcard(`${prefix}sentinel:flood\nacme\n\n`)) === 1);
      } finally {
        await redis.quit();
      }
    } finally {
      await direct.close();
      await controlPlane.close();
    }
  });
});
