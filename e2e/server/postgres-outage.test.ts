import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createGuard } from '@estop/sdk';
import { createPostgresStore } from '@estop/store-postgres';
import { databaseUrl, postgresSchema } from '../../packages/server/test/postgres-schema.js';
import { eventually, sha256Hex, startTestControlPlane } from '../../packages/server/test/harness.js';
import { startTcpProxy } from '../../packages/server/test/tcp-proxy.js';

/** The test database's URL, reached through `port` on 127.0.0.1 instead. */
function throughPort(port: number): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

describe('PostgreSQL unreachable: writes are refused at once, cached state is still served, and the replica recovers by itself', () => {
  const postgres = postgresSchema('estop_pg_outage');
  after(() => postgres.drop());

  it('a partition between a replica and PostgreSQL, then its end', async (context) => {
    if (!(await postgres.ready(context))) return;
    const target = new URL(databaseUrl);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const { schema } = postgres;
    // A reaches PostgreSQL through the proxy and hears of B's commits only by notification: it
    // polls no more often than its view's bound asks, which is long here (a replica whose view
    // goes stale during an outage is tested in packages/server/test/replica-view.test.ts).
    const cutOff = await startTestControlPlane({
      store: createPostgresStore({ url: throughPort(proxy.address.port), sha256: sha256Hex, schema }),
      replicaPollMs: 60_000,
      viewStaleAfterMs: 120_000,
    });
    const other = await startTestControlPlane({
      store: createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema }),
    });
    const guard = createGuard({ url: cutOff.url, token: await cutOff.token('enforcer'), onError: () => {} });
    try {
      await guard.ready();
      const before = await cutOff.request('/v1/rules', {
        body: { scope: { tenant: 'before' }, mode: 'read_only', reason: 'committed before the partition' },
      });
      assert.equal(before.status, 201);
      await eventually(() => guard.version >= before.body.version);

      proxy.cut();
      // Writes: a 503 problem, bounded by the pool's connection and query timeouts, not a hang.
      const refused = await cutOff.request('/v1/rules', {
        body: { scope: { tenant: 'during' }, mode: 'read_only', reason: 'while PostgreSQL is away' },
      });
      assert.equal(refused.status, 503);
      assert.equal(refused.type, 'application/problem+json');
      assert.equal(refused.body.code, 'unavailable');
      const lift = await cutOff.request(`/v1/rules/${before.body.rule.id}/lift`, { body: { reason: 'no store' } });
      assert.equal(lift.status, 503);
      assert.equal(lift.body.code, 'unavailable');
      // Reads of the state this replica holds still answer, and its enforcers keep it.
      const rules = await cutOff.request('/v1/rules');
      assert.equal(rules.status, 200);
      assert.ok(rules.body.rules.some((rule: { id: string }) => rule.id === before.body.rule.id));
      const state = await cutOff.request('/v1/state');
      assert.equal(state.status, 200);
      assert.equal(state.body.version, before.body.version);
      assert.equal(guard.decide({ tenant: 'before', tool: 'email.send' }).outcome, 'deny');
      const ready = await cutOff.request('/readyz');
      assert.equal(ready.status, 503);

      // Another replica commits meanwhile.
      const elsewhere = await other.request('/v1/rules', {
        body: { scope: { tenant: 'elsewhere' }, mode: 'read_only', reason: 'committed during the partition' },
      });
      assert.equal(elsewhere.status, 201);

      proxy.restore();
      // A listens again and reads what it missed; its enforcer applies it, with no poll to help.
      await eventually(() => guard.decide({ tenant: 'elsewhere', tool: 'email.send' }).outcome === 'deny', 20_000);
      const again = await eventually(async () => {
        const answer = await cutOff.request('/v1/rules', {
          body: { scope: { tenant: 'after' }, mode: 'read_only', reason: 'PostgreSQL is back' },
        });
        return answer.status === 201 ? answer : undefined;
      }, 20_000);
      await eventually(() => guard.version >= again.body.version);
      // And hears of the next commit elsewhere by notification, its LISTEN re-established.
      const next = await other.request('/v1/rules', {
        body: { scope: { tenant: 'next' }, mode: 'read_only', reason: 'after the partition' },
      });
      assert.equal(next.status, 201);
      await eventually(() => guard.decide({ tenant: 'next', tool: 'email.send' }).outcome === 'deny');
    } finally {
      await guard.close();
      await cutOff.close();
      await other.close();
      await proxy.close();
    }
  });
});
