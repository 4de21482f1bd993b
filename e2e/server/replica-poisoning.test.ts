import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { EnforcerRecord, Store } from '@estop/core';
import { createGuard, type Guard } from '@estop/sdk';
import { createPostgresStore } from '@estop/store-postgres';
import { databaseUrl, postgresSchema } from '../../packages/server/test/postgres-schema.js';
import {
  eventually,
  sha256Hex,
  startTestControlPlane,
  type TestControlPlane,
} from '../../packages/server/test/harness.js';

const postgres = postgresSchema('estop_poisoning');
after(() => postgres.drop());

const openStore = () => createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema: postgres.schema });

/** A store whose enforcer writes fail for any batch holding an enforcer named `poisoned`, as a bad row would. */
function refusingPoisoned(store: Store): Store {
  const upsert = store.enforcers.upsert.bind(store.enforcers);
  const enforcers = {
    ...store.enforcers,
    upsert: async (records: readonly EnforcerRecord[]) => {
      if (records.some((record) => record.name === 'poisoned')) throw new Error('the store refused a row');
      await upsert(records);
    },
  };
  return new Proxy(store, { get: (target, key) => (key === 'enforcers' ? enforcers : Reflect.get(target, key)) });
}

/** Starts two replicas on one PostgreSQL schema, connects a healthy guard to `first`, and runs `body`. */
async function withTwoReplicas(
  context: { skip(message?: string): void },
  wrapFirst: (store: Store) => Store,
  body: (first: TestControlPlane, second: TestControlPlane, tenantEnforcer: string, guardId: string) => Promise<void>,
): Promise<void> {
  if (!(await postgres.ready(context as never))) return;
  const first = await startTestControlPlane({ store: wrapFirst(openStore()), replicaPollMs: 100 });
  const second = await startTestControlPlane({ store: openStore(), replicaPollMs: 100 });
  let guard: Guard | undefined;
  try {
    // Both cases share the schema, and a token's name belongs to one principal: each gets its own.
    const tenantEnforcer = await first.token('enforcer', 'acme', `acme-worker-${randomUUID()}`);
    guard = createGuard({ url: first.url, token: tenantEnforcer, onError: () => {} });
    await guard.ready();
    await body(first, second, tenantEnforcer, guard.id);
  } finally {
    await guard?.close();
    await first.close();
    await second.close();
  }
}

/** Whether `second` counts the guard connected to `first` as live, as `estop kill` there would. */
async function secondSees(second: TestControlPlane, guardId: string): Promise<boolean> {
  const listed = await second.request('/v1/enforcers');
  return listed.body.enforcers.some((record: any) => record.id === guardId && record.connected === true);
}

/** Waits past several flushes and other replicas' liveness window, then checks `second` still sees the guard. */
async function stillSeenAfterFlushes(second: TestControlPlane, guardId: string): Promise<void> {
  await eventually(() => secondSees(second, guardId));
  await new Promise((resolve) => setTimeout(resolve, 6500));
  assert.ok(await secondSees(second, guardId), 'the other replica dropped the healthy enforcer');
  const version = (await second.request('/v1/state')).body.version;
  const enforcement = await second.request(`/v1/versions/${version}/enforcement`);
  assert.ok(enforcement.body.total >= 1, JSON.stringify(enforcement.body));
}

describe('one enforcer cannot blind the other replicas (two replicas on one PostgreSQL)', () => {
  it('refuses registrations and acknowledgements the store could not hold, 400, and the healthy enforcer stays visible', async (context) => {
    await withTwoReplicas(
      context,
      (store) => store,
      async (first, second, token, guardId) => {
        const bad = [
          { id: 'huge-pid', name: 'huge-pid', kind: 'sdk', pid: 2147483648 },
          { id: 'nul-host', name: 'nul-host', kind: 'sdk', host: 'box\u0000one' },
          { id: 'unsafe-pid', name: 'unsafe-pid', kind: 'sdk', pid: 2 ** 60 },
          { id: 'control-host', name: 'control-host', kind: 'sdk', host: 'box\u001bone' },
          { id: 'long-host', name: 'long-host', kind: 'sdk', host: 'h'.repeat(300) },
        ];
        for (const body of bad) {
          const answer = await first.request('/v1/enforcers', { token, body });
          assert.equal(answer.status, 400, `${body.id}: ${JSON.stringify(answer.body)}`);
          assert.equal(answer.body.code, 'invalid_request');
        }
        const ack = await first.request(`/v1/enforcers/${guardId}/ack`, {
          token,
          body: { version: 0, inFlight: 2147483648 },
        });
        assert.equal(ack.status, 400, JSON.stringify(ack.body));
        const batch = await first.request('/v1/enforcers/acks', {
          token,
          body: { acks: [{ id: guardId, version: 2 ** 60, inFlight: 0 }] },
        });
        assert.equal(batch.status, 400, JSON.stringify(batch.body));
        await stillSeenAfterFlushes(second, guardId);
      },
    );
  });

  it('saves the other enforcers when the store refuses one record', async (context) => {
    await withTwoReplicas(context, refusingPoisoned, async (first, second, token, guardId) => {
      const poisoned = await first.request('/v1/enforcers', {
        token,
        body: { id: 'poisoned-1', name: 'poisoned', kind: 'sdk' },
      });
      assert.equal(poisoned.status, 201, JSON.stringify(poisoned.body));
      // Connected, it is vouched for (so written) on every flush, as the guard is.
      const stream = new AbortController();
      const response = await fetch(`${first.url}/v1/stream?enforcer=poisoned-1`, {
        headers: { authorization: `Bearer ${token}` },
        signal: stream.signal,
      });
      assert.equal(response.status, 200);
      try {
        await stillSeenAfterFlushes(second, guardId);
      } finally {
        stream.abort();
        await response.body?.cancel().catch(() => {});
      }
    });
  });
});
