import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Store } from '@estop/core';
import { createPostgresStore } from '@estop/store-postgres';
import { databaseUrl, postgresSchema } from '../../packages/server/test/postgres-schema.js';
import {
  connectEnforcer,
  eventually,
  sha256Hex,
  startTestControlPlane,
  type TestControlPlane,
} from '../../packages/server/test/harness.js';

const FORGET_AFTER_MS = 10_000;

/** A PostgreSQL store whose sweeps of departed enforcers note every record they are about to delete. */
function notingSweeps(schema: string, deleted: string[]): Store {
  const store = createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema });
  const removeSeenBefore = store.enforcers.removeSeenBefore.bind(store.enforcers);
  store.enforcers.removeSeenBefore = async (seenBefore) => {
    const departing = (await store.enforcers.list()).filter((record) => record.lastSeenAt < seenBefore);
    deleted.push(...departing.map((record) => record.id));
    return removeSeenBefore(seenBefore);
  };
  return store;
}

async function listedOn(cp: TestControlPlane): Promise<Map<string, boolean>> {
  const answer = await cp.request('/v1/enforcers?limit=1000');
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return new Map((answer.body.enforcers as { id: string; connected: boolean }[]).map((r) => [r.id, r.connected]));
}

describe('replicas sharing one PostgreSQL forget departed enforcers, never one another replica vouches for', () => {
  const postgres = postgresSchema('estop_departed');
  after(() => postgres.drop());

  it('a connected enforcer outlives forget_after on every replica; a vanished one leaves them all', async (context) => {
    if (!(await postgres.ready(context))) return;
    // Both replicas' clocks run with real time and step ahead together, past forget_after.
    let skew = 0;
    const clock = { now: () => Date.now() + skew };
    const deleted: string[] = [];
    const options = { clock, enforcers: { forgetAfterMs: FORGET_AFTER_MS } };
    const first = await startTestControlPlane({ ...options, store: notingSweeps(postgres.schema, deleted) });
    const second = await startTestControlPlane({ ...options, store: notingSweeps(postgres.schema, deleted) });
    try {
      const token = await first.token('enforcer');
      const cuts = [
        await connectEnforcer(first, token, 'first-live'),
        await connectEnforcer(second, token, 'second-live'),
        await connectEnforcer(second, token, 'second-vanishing'),
      ];
      const vouchedSince = async (id: string, at: number) =>
        (await first.store.enforcers.list()).some(
          (record) => record.id === id && record.lastSeenAt >= new Date(at).toISOString(),
        );
      await eventually(async () => (await listedOn(first)).get('second-vanishing') === true);
      cuts[2]?.();
      await eventually(async () => (await listedOn(second)).get('second-vanishing') === false);

      // Steps of 3 s, each seen by both replicas' flushes, past forget_after.
      for (let step = 0; step < 4; step += 1) {
        skew += 3_000;
        const at = clock.now();
        await eventually(
          async () => (await vouchedSince('first-live', at)) && (await vouchedSince('second-live', at)),
          30_000,
        );
        assert.equal((await listedOn(first)).get('second-live'), true, `step ${step}: first lost second-live`);
        assert.equal((await listedOn(second)).get('first-live'), true, `step ${step}: second lost first-live`);
      }
      // A replica sweeps at most every few seconds, on a flush: slow on a loaded machine.
      await eventually(() => deleted.includes('second-vanishing'), 30_000);
      assert.deepEqual(
        deleted.filter((id) => id !== 'second-vanishing'),
        [],
      );
      for (const replica of [first, second]) {
        await eventually(async () => !(await listedOn(replica)).has('second-vanishing'), 30_000);
      }
      for (const cut of cuts) cut();
    } finally {
      await first.close();
      await second.close();
    }
  });
});
