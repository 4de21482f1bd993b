import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Rule } from '@estop/core';
import type { Enforcement } from '@estop/core';
import { main } from '../src/main.js';
import type { CannedResponse } from './fake-http.js';
import { bufferIo, closedUrl, problem, startFakeHttp } from './fake-http.js';

const rule: Rule = {
  id: 'r_7',
  scope: { tenant: 'acme' },
  mode: 'read_only',
  reason: 'duplicate emails',
  actor: { id: 'alice', kind: 'human' },
  createdAt: new Date().toISOString(),
  cancelInFlight: false,
};

const lagging: Enforcement = {
  version: 7,
  acknowledged: 2,
  total: 3,
  pending: [{ id: 'sdk_3f', name: 'worker-2', version: 6 }],
};
const complete: Enforcement = { version: 7, acknowledged: 3, total: 3, ms: 14, pending: [] };
const nobody: Enforcement = { version: 7, acknowledged: 0, total: 0, pending: [] };

async function controlPlane(enforcement: Enforcement | CannedResponse, extra: Record<string, CannedResponse> = {}) {
  return startFakeHttp({
    'POST /v1/rules': { status: 201, body: { rule, version: 7 } },
    'GET /v1/rules': { body: { version: 7, rules: [rule] } },
    'GET /v1/versions/7/enforcement': 'version' in enforcement ? { body: enforcement } : enforcement,
    ...extra,
  });
}

const KILL = ['kill', '--tenant', 'acme', '--mode', 'read_only', '--reason', 'duplicate emails'];

describe('kill reports the stop once it is durable, then how far it has spread', () => {
  it('prints the rule and the full acknowledgement', async () => {
    const server = await controlPlane(complete);
    try {
      const io = bufferIo({ ESTOP_URL: server.url, ESTOP_TOKEN: 'estop_t' });
      assert.equal(await main(KILL, io), 0);
      assert.equal(
        io.out(),
        'stopped tenant=acme: read_only (rule r_7, version 7)\nenforced on 3/3 enforcers in 14 ms\n',
      );
      assert.equal(server.requests[1]?.url, '/v1/versions/7/enforcement?wait=2000');
    } finally {
      await server.close();
    }
  });

  it('says when a rule that expires lifts itself, and after how long', async () => {
    const createdAt = '2026-12-07T02:30:00.000Z';
    const expiring: Rule = { ...rule, createdAt, expiresAt: '2026-12-07T03:00:00.000Z' };
    const server = await startFakeHttp({
      'POST /v1/rules': { status: 201, body: { rule: expiring, version: 7 } },
      'GET /v1/versions/7/enforcement': { body: complete },
    });
    try {
      const io = bufferIo({ ESTOP_URL: server.url, ESTOP_TOKEN: 'estop_t' });
      assert.equal(await main([...KILL, '--expires', '30m'], io), 0);
      assert.equal(
        io.out(),
        'stopped tenant=acme: read_only (rule r_7, version 7)\nexpires 2026-12-07T03:00:00Z (in 30m)\n' +
          'enforced on 3/3 enforcers in 14 ms\n',
      );
      assert.equal((server.requests[0]?.body as { expiresIn?: string }).expiresIn, '30m');
    } finally {
      await server.close();
    }
  });

  it('exits 0 even when some enforcers lag, naming them', async () => {
    const server = await controlPlane(lagging);
    try {
      const io = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main([...KILL, '--wait', '100ms'], io), 0);
      assert.match(io.out(), /^enforced on 2\/3 enforcers; not yet acknowledged: worker-2 \(at version 6\)$/m);
      assert.equal(server.requests[1]?.url, '/v1/versions/7/enforcement?wait=100');
    } finally {
      await server.close();
    }
  });

  it('says so when no enforcer is connected', async () => {
    const server = await controlPlane(nobody);
    try {
      const io = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main(KILL, io), 0);
      assert.match(io.out(), /^no enforcers connected$/m);
    } finally {
      await server.close();
    }
  });

  it('--json prints exactly the rule, the version and the enforcement', async () => {
    const server = await controlPlane(lagging);
    try {
      const io = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main([...KILL, '--json'], io), 0);
      assert.deepEqual(JSON.parse(io.out()), {
        rule,
        version: 7,
        enforcement: { acknowledged: 2, total: 3, pending: [{ id: 'sdk_3f', name: 'worker-2', version: 6 }] },
      });
    } finally {
      await server.close();
    }
  });

  it('--wait 0 does not ask about enforcement', async () => {
    const server = await controlPlane(complete);
    try {
      const io = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main([...KILL, '--wait', '0', '--json'], io), 0);
      assert.equal(JSON.parse(io.out()).enforcement, null);
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  });

  it('still exits 0 when the rule is durable but enforcement cannot be checked', async () => {
    const server = await controlPlane(problem('internal', 500, 'internal error'));
    try {
      const io = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main(KILL, io), 0);
      assert.match(io.out(), /^stopped tenant=acme/);
      assert.match(io.err(), /the rule is in place, but its enforcement could not be checked/);
    } finally {
      await server.close();
    }
  });

  it("exits 1 with the server's reason when the stop is refused", async () => {
    const server = await controlPlane(complete, {
      'POST /v1/rules': problem('forbidden', 403, 'a token of tenant acme cannot stop tenant globex'),
    });
    try {
      const io = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main(KILL, io), 1);
      assert.equal(io.err(), 'estop kill: a token of tenant acme cannot stop tenant globex\n');
      assert.equal(io.out(), '');
    } finally {
      await server.close();
    }
  });

  it('exits 1 and says to start the server when nothing listens', async () => {
    const url = await closedUrl();
    const io = bufferIo({ ESTOP_URL: url });
    assert.equal(await main(KILL, io), 1);
    assert.equal(io.err(), `estop kill: cannot reach the control plane at ${url}: is \`estop serve\` running?\n`);
  });
});

describe('verify exits 0 only when every connected enforcer has applied the current version', () => {
  it('exits 0 when all have', async () => {
    const server = await controlPlane(complete);
    try {
      const io = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main(['verify', '--timeout', '1s'], io), 0);
      assert.match(io.out(), /version 7: enforced on 3\/3 enforcers in 14 ms/);
      assert.equal(server.requests.at(-1)?.url, '/v1/versions/7/enforcement?wait=1000');
    } finally {
      await server.close();
    }
  });

  it('exits 1 naming the stragglers', async () => {
    const server = await controlPlane(lagging);
    try {
      const io = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main(['verify', '--timeout', '10ms'], io), 1);
      assert.match(io.out(), /worker-2 \(at version 6\)/);
      const json = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main(['verify', '--timeout', '10ms', '--json'], json), 1);
      assert.equal(JSON.parse(json.out()).ok, false);
    } finally {
      await server.close();
    }
  });

  it('exits 0 with a warning when no enforcer is connected', async () => {
    const server = await controlPlane(nobody);
    try {
      const io = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main(['verify'], io), 0);
      assert.match(io.out(), /no enforcers connected/);
      assert.match(io.err(), /^warning: no enforcers are connected/);
    } finally {
      await server.close();
    }
  });
});

describe('audit verify exits 0 only when the chain is intact', () => {
  it('exits 1 naming the broken entry', async () => {
    const server = await startFakeHttp({
      'GET /v1/audit/verify': { body: { ok: false, entries: 12, brokenAt: 6, problem: 'entry 6 was altered' } },
    });
    try {
      const io = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main(['audit', 'verify'], io), 1);
      assert.match(io.out(), /entry 6/);
    } finally {
      await server.close();
    }
  });

  it('exits 0 when intact', async () => {
    const server = await startFakeHttp({
      'GET /v1/audit/verify': { body: { ok: true, entries: 12, head: { seq: 12, hash: 'ab'.repeat(32) } } },
    });
    try {
      const io = bufferIo({ ESTOP_URL: server.url });
      assert.equal(await main(['audit', 'verify', '--json'], io), 0);
      assert.equal(JSON.parse(io.out()).ok, true);
    } finally {
      await server.close();
    }
  });
});

describe('the other client commands call their endpoint and print the answer', async () => {
  const server = await startFakeHttp({
    'GET /v1/rules': { body: { version: 7, rules: [rule] } },
    'GET /v1/enforcers': {
      body: {
        version: 7,
        enforcers: [
          {
            id: 'sdk_1',
            name: 'worker-1',
            kind: 'sdk',
            version: 7,
            inFlight: 0,
            lastSeenAt: new Date().toISOString(),
            connected: true,
            current: true,
          },
        ],
      },
    },
    'POST /v1/rules/r_7/lift': {
      body: {
        lift: {
          ruleId: 'r_7',
          actor: { id: 'bob', kind: 'human' },
          reason: 'fixed',
          at: rule.createdAt,
          expired: false,
        },
        version: 8,
      },
    },
    'GET /v1/audit': { body: { entries: [], head: { seq: 0, hash: '0'.repeat(64) } } },
    'POST /v1/tokens': {
      status: 201,
      body: {
        token: 'estop_s3cret',
        info: { id: 't_9', name: 'oncall', role: 'operator', createdAt: rule.createdAt, createdBy: 'admin' },
      },
    },
    'GET /v1/tokens': { body: { tokens: [] } },
    'DELETE /v1/tokens/t_9': { status: 204 },
    'GET /v1/tokens/requests': {
      body: {
        requests: [
          {
            id: 'ar_1',
            token: {
              id: 't_10',
              name: 'carol',
              principalId: 'p_carol',
              role: 'admin',
              createdAt: rule.createdAt,
              createdBy: 'bob',
            },
            requestedBy: { id: 'bob', kind: 'human', principalId: 'p_bob', tokenId: 't_2' },
            at: rule.createdAt,
            expiresAt: '2026-11-22T05:25:00.000Z',
          },
        ],
      },
    },
    'POST /v1/tokens/requests/ar_1/confirm': {
      body: {
        info: {
          id: 't_10',
          name: 'carol',
          principalId: 'p_carol',
          role: 'admin',
          createdAt: rule.createdAt,
          createdBy: 'bob',
        },
      },
    },
  });
  after(() => server.close());
  const env = { ESTOP_URL: server.url, ESTOP_TOKEN: 'estop_admin' };

  it('status shows the version, the rule and the enforcer', async () => {
    const io = bufferIo(env);
    assert.equal(await main(['status'], io), 0);
    assert.match(io.out(), /^version 7$/m);
    assert.match(io.out(), /r_7 +tenant=acme +read_only +alice/);
    assert.match(io.out(), /worker-1 .* current$/m);
    const json = bufferIo(env);
    assert.equal(await main(['status', '--json'], json), 0);
    assert.deepEqual(Object.keys(JSON.parse(json.out())), ['version', 'rules', 'enforcers', 'sentinels']);
  });

  it('restore lifts the rule with the reason', async () => {
    const io = bufferIo(env);
    assert.equal(await main(['restore', 'r_7', '--reason', 'fixed'], io), 0);
    assert.equal(io.out(), 'restored: lifted rule r_7 (by bob, version 8)\n');
    assert.deepEqual(server.requests.at(-1)?.body, { reason: 'fixed' });
  });

  it('audit list passes paging and says when the log is empty', async () => {
    const io = bufferIo(env);
    assert.equal(await main(['audit', 'list', '--after', '3', '--limit', '20'], io), 0);
    assert.equal(server.requests.at(-1)?.url, '/v1/audit?after=3&limit=20');
    assert.match(io.out(), /empty/);
  });

  it('tokens create prints the secret once and says it will not be shown again', async () => {
    const io = bufferIo(env);
    assert.equal(await main(['tokens', 'create', '--role', 'operator', '--name', 'oncall'], io), 0);
    assert.deepEqual(server.requests.at(-1)?.body, { name: 'oncall', role: 'operator' });
    assert.equal(io.out().split('estop_s3cret').length - 1, 1);
    assert.match(io.out(), /will not be shown again/);
  });

  it('tokens create sends the agent binding, or forMe, as asked', async () => {
    const bound = bufferIo(env);
    const args = [
      'tokens',
      'create',
      '--role',
      'agent',
      '--tenant',
      'acme',
      '--name',
      'mailer-key',
      '--agent',
      'mailer',
    ];
    assert.equal(await main(args, bound), 0);
    assert.deepEqual(server.requests.at(-1)?.body, {
      name: 'mailer-key',
      role: 'agent',
      tenant: 'acme',
      agent: 'mailer',
    });
    assert.equal(
      await main(['tokens', 'create', '--role', 'agent', '--name', 'pool', '--any-agent'], bufferIo(env)),
      0,
    );
    assert.deepEqual(server.requests.at(-1)?.body, { name: 'pool', role: 'agent', anyAgent: true });
    assert.equal(await main(['tokens', 'create', '--role', 'admin', '--for-me'], bufferIo(env)), 0);
    assert.deepEqual(server.requests.at(-1)?.body, { forMe: true, role: 'admin' });
  });

  it('tokens requests lists new admins waiting, and confirm confirms one', async () => {
    const listed = bufferIo(env);
    assert.equal(await main(['tokens', 'requests'], listed), 0);
    assert.match(listed.out(), /ar_1 +carol +- +bob/);
    const confirmed = bufferIo(env);
    assert.equal(await main(['tokens', 'confirm', 'ar_1', '--reason', 'known colleague'], confirmed), 0);
    assert.deepEqual(server.requests.at(-1)?.body, { reason: 'known colleague' });
    assert.equal(confirmed.out(), 'confirmed: admin token t_10 "carol" now works\n');
  });

  it('tokens list and revoke', async () => {
    const list = bufferIo(env);
    assert.equal(await main(['tokens', 'list'], list), 0);
    assert.match(list.out(), /no tokens/);
    const revoke = bufferIo(env);
    assert.equal(await main(['tokens', 'revoke', 't_9'], revoke), 0);
    assert.equal(revoke.out(), 'revoked token t_9\n');
    assert.equal(server.requests.at(-1)?.method, 'DELETE');
  });
});
