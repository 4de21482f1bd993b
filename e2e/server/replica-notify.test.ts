import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createGuard } from '@estop/sdk';
import { createPostgresStore } from '@estop/store-postgres';
import { databaseUrl, postgresSchema } from '../../packages/server/test/postgres-schema.js';
import { eventually, sha256Hex, startTestControlPlane } from '../../packages/server/test/harness.js';

const FLIPS = 20;

/** The replica's count of other replicas' versions applied, by what found them. */
async function replicaChanges(url: string): Promise<{ notify: number; poll: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const count = (via: string) =>
    Number(new RegExp(`^estop_replica_changes_total\\{via="${via}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { notify: count('notify'), poll: count('poll') };
}

describe("a flip committed on one replica reaches another replica's enforcers by notification, not the poll", () => {
  const postgres = postgresSchema('estop_replica_notify');
  after(() => postgres.drop());

  it('with the default one-second poll running, the announcements deliver the flips', async (context) => {
    if (!(await postgres.ready(context))) return;
    const createStore = () => createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema: postgres.schema });
    const first = await startTestControlPlane({ store: createStore() });
    const second = await startTestControlPlane({ store: createStore() });
    const guard = createGuard({ url: second.url, token: await first.token('enforcer'), onError: () => {} });
    try {
      await guard.ready();
      const before = await replicaChanges(second.url);
      for (let flip = 0; flip < FLIPS; flip += 1) {
        const call = { tenant: 'notified', agent: `agent-${flip}`, tool: 'email.send' };
        const created = await first.request('/v1/rules', {
          body: { scope: { tenant: 'notified', agent: call.agent }, mode: 'read_only', reason: `flip ${flip}` },
        });
        assert.equal(created.status, 201);
        await eventually(() => guard.version >= created.body.version);
        assert.equal(guard.decide(call).outcome, 'deny');
      }
      const afterFlips = await replicaChanges(second.url);
      const notified = afterFlips.notify - before.notify;
      const polled = afterFlips.poll - before.poll;
      // Each flip is one version applied once; were the poll doing the work, it would find most of them.
      assert.equal(notified + polled, FLIPS);
      assert.ok(polled <= 2, `the poll delivered ${polled} of ${FLIPS} flips, the announcements ${notified}`);
    } finally {
      await guard.close();
      await first.close();
      await second.close();
    }
  });
});
