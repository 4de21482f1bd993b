import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createGuard } from '@estop/sdk';
import { createPostgresStore } from '@estop/store-postgres';
import { databaseUrl, postgresSchema } from '../../packages/server/test/postgres-schema.js';
import { eventually, sha256Hex, startTestControlPlane } from '../../packages/server/test/harness.js';

describe("a wait on one replica reports each enforcer's real acknowledged version, whichever replica it is on", () => {
  const postgres = postgresSchema('estop_replica_enforcement');
  after(() => postgres.drop());

  it('a guard on B counts once it acknowledged; an enforcer on B that has not is pending at the version it holds', async (context) => {
    if (!(await postgres.ready(context))) return;
    const createStore = () => createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema: postgres.schema });
    const first = await startTestControlPlane({ store: createStore() });
    const second = await startTestControlPlane({ store: createStore() });
    const token = await first.token('enforcer');
    const guard = createGuard({ url: second.url, token, onError: () => {} });
    // An enforcer on B that acknowledges only when told to.
    const slow = { id: 'slow-enforcer', name: 'slow', kind: 'sdk' };
    const stream = new AbortController();
    try {
      await guard.ready();
      assert.equal((await second.request('/v1/enforcers', { token, body: slow })).status, 201);
      const opened = await fetch(`${second.url}/v1/stream?enforcer=${slow.id}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: stream.signal,
      });
      assert.equal(opened.status, 200);
      const held = guard.version;
      const acked = await second.request(`/v1/enforcers/${slow.id}/ack`, {
        token,
        body: { version: held, inFlight: 0 },
      });
      assert.equal(acked.status, 204);
      // A knows both of B's enforcers, at the version they acknowledged.
      await eventually(async () => {
        const answer = await first.request(`/v1/versions/${held}/enforcement`);
        return answer.body.acknowledged === 2 && answer.body.total === 2;
      });

      const created = await first.request('/v1/rules', {
        body: { scope: { tenant: 'waited' }, mode: 'full_stop', reason: 'killed through replica A' },
      });
      assert.equal(created.status, 201);
      const version = created.body.version as number;
      await eventually(() => guard.version >= version);
      // Asked on A while the slow enforcer has not acknowledged: the guard counts, the slow one is
      // pending at the version it holds, never counted as acknowledged for one it has not.
      const partial = await eventually(async () => {
        const answer = await first.request(`/v1/versions/${version}/enforcement?wait=500`);
        return answer.body.acknowledged === 1 ? answer : undefined;
      });
      assert.equal(partial.body.total, 2);
      assert.deepEqual(partial.body.pending, [{ id: slow.id, name: slow.name, version: held }]);

      const late = await second.request(`/v1/enforcers/${slow.id}/ack`, { token, body: { version, inFlight: 0 } });
      assert.equal(late.status, 204);
      const complete = await first.request(`/v1/versions/${version}/enforcement?wait=5000`);
      assert.deepEqual([complete.body.acknowledged, complete.body.total, complete.body.pending], [2, 2, []]);
    } finally {
      stream.abort();
      await guard.close();
      await first.close();
      await second.close();
    }
  });
});
