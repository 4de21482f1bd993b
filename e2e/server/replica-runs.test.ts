import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createGuard } from '@estop/sdk';
import { createPostgresStore } from '@estop/store-postgres';
import { databaseUrl, postgresSchema } from '../../packages/server/test/postgres-schema.js';
import { eventually, sha256Hex, startTestControlPlane } from '../../packages/server/test/harness.js';

describe('a run registered with one replica is listed and killed through another', () => {
  const postgres = postgresSchema('estop_replica_runs');
  after(() => postgres.drop());

  it("the kill's durable run-scoped full stop reaches the run's guard on the other replica", async (context) => {
    if (!(await postgres.ready(context))) return;
    const createStore = () => createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema: postgres.schema });
    const first = await startTestControlPlane({ store: createStore() });
    const second = await startTestControlPlane({ store: createStore() });
    const guard = createGuard({ url: second.url, token: await first.token('enforcer'), onError: () => {} });
    try {
      await guard.ready();
      const run = guard.startRun({ tenant: 'acme', agent: 'looper' });
      await eventually(async () =>
        (await second.request('/v1/runs')).body.runs.some((listed: { id: string }) => listed.id === run.id),
      );
      // Listed by the other replica too, to its tenant's tokens only.
      const viewer = await first.token('viewer', 'acme');
      const listed = await eventually(async () =>
        (await first.request('/v1/runs', { token: viewer })).body.runs.find(
          (each: { id: string }) => each.id === run.id,
        ),
      );
      assert.deepEqual([listed.tenant, listed.agent, listed.status], ['acme', 'looper', 'running']);
      const stranger = await first.token('viewer', 'globex');
      assert.deepEqual((await first.request('/v1/runs', { token: stranger })).body.runs, []);

      const operator = await first.token('operator', 'acme');
      const killed = await first.request(`/v1/runs/${run.id}/kill`, { token: operator, body: { reason: 'looping' } });
      assert.equal(killed.status, 201, JSON.stringify(killed.body));
      assert.equal(killed.body.run.id, run.id);
      assert.deepEqual(killed.body.rule.scope, { tenant: 'acme', run: run.id });
      assert.equal(killed.body.rule.mode, 'full_stop');
      await eventually(() => run.status === 'stopped');
      assert.equal(run.stopReason, `killed:${killed.body.rule.id}`);
      assert.equal(run.signal.aborted, true);
      // Both replicas report it stopped by that rule.
      for (const replica of [second, first]) {
        await eventually(async () => {
          const found = (await replica.request('/v1/runs')).body.runs.find(
            (each: { id: string }) => each.id === run.id,
          );
          return found?.status !== 'running' && found?.stopReason === `killed:${killed.body.rule.id}`;
        });
      }
    } finally {
      await guard.close();
      await first.close();
      await second.close();
    }
  });
});
