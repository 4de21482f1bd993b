import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createGateway, createIdentityResolver, parseGatewayConfig } from '@estop/gateway';
import { createPostgresStore } from '@estop/store-postgres';
import { databaseUrl, postgresSchema } from '../../packages/server/test/postgres-schema.js';
import {
  eventually,
  sha256Hex,
  startTestControlPlane,
  type TestControlPlane,
} from '../../packages/server/test/harness.js';
import { send, startUpstream } from './http-harness.js';

/** How many enforcers are connected to this replica's stream, as its metrics say. */
async function connectedHere(replica: TestControlPlane): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  return Number(/^estop_enforcers_connected (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

describe('a gateway configured with a list of replicas fails over between them', () => {
  const postgres = postgresSchema('estop_gateway_failover');
  after(() => postgres.drop());

  it('keeps checking tokens and deciding calls on the other replica when its own goes away', async (context) => {
    if (!(await postgres.ready(context))) return;
    const open = () => createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema: postgres.schema });
    const replicas = [
      await startTestControlPlane({ store: open(), keepAliveMs: 200 }),
      await startTestControlPlane({ store: open(), keepAliveMs: 200 }),
    ];
    const closed = new Set<TestControlPlane>();
    const upstream = await startUpstream();
    const config = parseGatewayConfig(
      [
        'control_plane:',
        `  url: [${replicas.map((replica) => replica.url).join(', ')}]`,
        'listen: {host: 127.0.0.1, port: 0}',
        'identity: {cache_ms: 0}',
        'http:',
        '  routes:',
        `    search.read: {method: GET, upstream: "${upstream.url}/echo"}`,
        `    email.send: {method: POST, upstream: "${upstream.url}/echo", effect: write}`,
        'idempotency: {tools: {"*": false}}',
      ].join('\n'),
      {},
    );
    assert.equal(config.control_plane.url.length, 2);
    const gateway = createGateway({ config, token: await replicas[0]!.token('enforcer') });
    const agent = await replicas[0]!.token('agent', 'acme');
    const call = (tool: string, method = 'GET') =>
      send(`${gatewayUrl}/tools/${tool}`, {
        method,
        headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      });
    let gatewayUrl = '';
    try {
      gatewayUrl = await gateway.listen();
      await gateway.guard.ready();
      const first = await call('email.send', 'POST');
      assert.equal(first.status, 200, JSON.stringify(first.json));

      const counts = await Promise.all(replicas.map(connectedHere));
      assert.deepEqual([...counts].sort(), [0, 1]);
      const on = replicas[counts.indexOf(1)]!;
      const other = replicas[counts.indexOf(0)]!;
      await on.close();
      closed.add(on);
      // The caller's token is checked with whichever replica answers.
      const read = await call('search.read');
      assert.equal(read.status, 200, JSON.stringify(read.json));

      await eventually(async () => (await connectedHere(other)) === 1, 20_000);
      const stop = await other.request('/v1/rules', {
        body: { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'flipped on the other replica' },
      });
      assert.equal(stop.status, 201);
      const enforcement = await other.request(`/v1/versions/${stop.body.version}/enforcement?wait=10000`);
      assert.deepEqual([enforcement.body.acknowledged, enforcement.body.total], [1, 1]);
      const refused = await call('email.send', 'POST');
      assert.equal(refused.status, 403);
      assert.equal(refused.json.reason, 'flipped on the other replica');
      assert.equal((await call('search.read')).status, 200);
    } finally {
      await gateway.close();
      await upstream.close();
      for (const replica of replicas) if (!closed.has(replica)) await replica.close();
    }
  });
});

describe("the gateway checks a caller's token with the next replica when one does not answer", () => {
  it('resolves the caller whichever of the two it asks first', async () => {
    const replica = await startTestControlPlane();
    try {
      const agent = await replica.token('agent', 'acme', 'identity-agent');
      // Nothing listens on port 1: that replica is down.
      for (const urls of [
        ['http://127.0.0.1:1', replica.url],
        [replica.url, 'http://127.0.0.1:1'],
      ]) {
        const identity = createIdentityResolver({ controlPlaneUrl: urls, cacheMs: 0 });
        for (let call = 0; call < 3; call++) {
          const caller = await identity.resolve({ authorization: `Bearer ${agent}` });
          assert.deepEqual([caller.tenant, caller.name], ['acme', 'identity-agent']);
        }
      }
    } finally {
      await replica.close();
    }
  });

  it('refuses a list with a bad entry when it is made', () => {
    assert.throws(
      () => createIdentityResolver({ controlPlaneUrl: ['http://127.0.0.1:7070', 'nope'] }),
      /controlPlaneUrl\[1\] must be an absolute http\(s\) URL/,
    );
  });
});
