import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Store } from '@estop/core';
import { createGuard } from '@estop/sdk';
import { createPostgresStore } from '@estop/store-postgres';
import { createSqliteStore } from '@estop/store-sqlite';
import { databaseUrl, postgresSchema } from '../../packages/server/test/postgres-schema.js';
import { eventually, sha256Hex, startTestControlPlane } from '../../packages/server/test/harness.js';

/** Flips a stop on replica A and waits for a guard connected to replica B to deny. */
async function stopOnOneReplicaEnforcedOnTheOther(createStore: () => Store, replicaPollMs: number): Promise<void> {
  const first = await startTestControlPlane({ store: createStore(), replicaPollMs });
  const second = await startTestControlPlane({ store: createStore(), replicaPollMs });
  const guard = createGuard({ url: second.url, token: await first.token('enforcer'), onError: () => {} });
  try {
    await guard.ready();
    const call = { tenant: 'replicated', tool: 'email.send' };
    assert.equal(guard.decide(call).outcome, 'allow');
    const created = await first.request('/v1/rules', {
      body: { scope: { tenant: 'replicated' }, mode: 'read_only', reason: 'flipped on the other replica' },
    });
    assert.equal(created.status, 201);
    await eventually(() => guard.decide(call).outcome === 'deny');
    assert.equal(guard.decide(call).ruleId, created.body.rule.id);
    const enforcement = await second.request(`/v1/versions/${created.body.version}/enforcement?wait=5000`);
    assert.deepEqual([enforcement.body.acknowledged, enforcement.body.total], [1, 1]);
    // Asked on the replica the guard is not connected to, the answer still counts it.
    const elsewhere = await eventually(async () => {
      const answer = await first.request(`/v1/versions/${created.body.version}/enforcement?wait=2000`);
      return answer.body.total === 1 ? answer : undefined;
    });
    assert.deepEqual([elsewhere.body.acknowledged, elsewhere.body.pending], [1, []]);
    const listed = await first.request('/v1/enforcers');
    assert.deepEqual(
      listed.body.enforcers.map((record: any) => [record.id, record.connected, record.current]),
      [[guard.id, true, true]],
    );
  } finally {
    await guard.close();
    await first.close();
    await second.close();
  }
}

describe("replicas sharing a store push each other's changes to their enforcers", () => {
  it('on one SQLite file, by polling', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'estop-replicas-')), 'estop.db');
    await stopOnOneReplicaEnforcedOnTheOther(() => createSqliteStore({ file, sha256: sha256Hex }), 100);
  });

  const postgres = postgresSchema('estop_replicas');
  after(() => postgres.drop());

  it('on PostgreSQL, by notification (with polling slowed to a minute)', async (context) => {
    if (!(await postgres.ready(context))) return;
    const { schema } = postgres;
    await stopOnOneReplicaEnforcedOnTheOther(
      () => createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema }),
      60_000,
    );
  });
});
