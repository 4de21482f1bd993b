import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import type { Call, EstopError } from '@estop/core';
import { createGuard } from '@estop/sdk';
import { createPostgresStore } from '@estop/store-postgres';
import { databaseUrl, postgresSchema } from '../../packages/server/test/postgres-schema.js';
import {
  eventually,
  sha256Hex,
  startTestControlPlane,
  type TestControlPlane,
} from '../../packages/server/test/harness.js';

const acmeWrite: Call = { tenant: 'acme', tool: 'email.send', effect: 'write' };
const globexRead: Call = { tenant: 'globex', tool: 'crm.read', effect: 'read' };

/** How many enforcers are connected to this replica's stream, as its metrics say. */
async function connectedHere(replica: TestControlPlane): Promise<number> {
  const response = await fetch(`${replica.url}/metrics`);
  const text = await response.text();
  return Number(/^estop_enforcers_connected (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

describe('a guard given two replicas on one PostgreSQL fails over when the one it is on goes away', () => {
  const postgres = postgresSchema('estop_failover');
  after(() => postgres.drop());

  it('reconnects to the other, acknowledges a flip made there, and never allows a call the state forbids', async (context) => {
    if (!(await postgres.ready(context))) return;
    const open = () => createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema: postgres.schema });
    const replicas = [
      await startTestControlPlane({ store: open(), keepAliveMs: 200 }),
      await startTestControlPlane({ store: open(), keepAliveMs: 200 }),
    ];
    const closed = new Set<TestControlPlane>();
    const errors: EstopError[] = [];
    const guard = createGuard({
      url: replicas.map((replica) => replica.url),
      token: await replicas[0]!.token('enforcer'),
      name: 'failover-worker',
      breakGlass: {},
      reconnect: { baseMs: 50, maxMs: 500 },
      onError: (error) => errors.push(error),
    });
    try {
      await guard.ready();
      const stop = await replicas[0]!.request('/v1/rules', {
        body: { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'in force before the loss' },
      });
      assert.equal(stop.status, 201);
      await eventually(() => guard.decide(acmeWrite).ruleId === stop.body.rule.id);

      // From here on every decision is watched: acme's writes must be refused throughout.
      const allowed: string[] = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const decision = guard.decide(acmeWrite);
          if (decision.outcome !== 'deny') allowed.push(`${decision.outcome} at version ${guard.version}`);
          await nextTurn();
        }
      })();

      const counts = await Promise.all(replicas.map(connectedHere));
      assert.deepEqual([...counts].sort(), [0, 1]);
      const on = replicas[counts.indexOf(1)]!;
      const other = replicas[counts.indexOf(0)]!;
      await on.close();
      closed.add(on);

      await eventually(async () => (await connectedHere(other)) === 1, 20_000);
      const flip = await other.request('/v1/rules', {
        body: { scope: { tenant: 'globex' }, mode: 'full_stop', reason: 'flipped on the other replica' },
      });
      assert.equal(flip.status, 201);
      const enforcement = await other.request(`/v1/versions/${flip.body.version}/enforcement?wait=10000`);
      assert.deepEqual([enforcement.body.acknowledged, enforcement.body.total], [1, 1]);
      assert.equal(guard.version, flip.body.version);
      assert.equal(guard.decide(globexRead).ruleId, flip.body.rule.id);
      assert.equal(guard.decide(acmeWrite).ruleId, stop.body.rule.id);

      watching = false;
      await watcher;
      assert.deepEqual(allowed, []);
      // The loss was noticed and reported, not hidden.
      assert.ok(errors.some((error) => error.code === 'unavailable'));
    } finally {
      await guard.close();
      for (const replica of replicas) if (!closed.has(replica)) await replica.close();
    }
  });
});
