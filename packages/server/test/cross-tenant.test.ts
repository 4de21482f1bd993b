import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore, type AuditEntry, type Store } from '@estop/core';
import { createPostgresStore } from '@estop/store-postgres';
import { createSqliteStore } from '@estop/store-sqlite';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { databaseUrl, postgresSchema } from './postgres-schema.js';
import { connectEnforcer, eventually, startTestControlPlane, type TestControlPlane } from './harness.js';

const at = () => new Date().toISOString();

async function auditOf(cp: TestControlPlane, token: string): Promise<AuditEntry[]> {
  const answer = await cp.request('/v1/audit?limit=10000', { token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.entries as AuditEntry[];
}

async function createRule(cp: TestControlPlane, scope: Record<string, string>, mode = 'read_only'): Promise<string> {
  const created = await cp.request('/v1/rules', { body: { scope, mode, reason: 'cross-tenant' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.rule.id as string;
}

describe('a tenant token cannot read or report across tenants', () => {
  let cp: TestControlPlane;
  before(async () => {
    cp = await startTestControlPlane();
  });
  after(() => cp.close());

  it("a beta-bound viewer's enforcement answer counts none of acme's enforcers", async () => {
    const acmeEnforcer = await cp.token('enforcer', 'acme');
    const disconnect = await connectEnforcer(cp, acmeEnforcer, 'acme-worker-1');
    try {
      const version = (await cp.request('/v1/state')).body.version as number;
      const beta = await cp.request(`/v1/versions/${version}/enforcement`, { token: await cp.token('viewer', 'beta') });
      assert.equal(beta.status, 200);
      assert.deepEqual([beta.body.acknowledged, beta.body.total, beta.body.pending], [0, 0, []]);
      const acme = await cp.request(`/v1/versions/${version + 1}/enforcement`, {
        token: await cp.token('viewer', 'acme'),
      });
      assert.deepEqual([acme.body.total, acme.body.pending.map((pending: any) => pending.id)], [1, ['acme-worker-1']]);
      const beyond = await cp.request(`/v1/versions/${version + 1}/enforcement`, {
        token: await cp.token('viewer', 'beta'),
      });
      assert.ok(!JSON.stringify(beyond.body).includes('acme-worker-1'), JSON.stringify(beyond.body));
    } finally {
      disconnect();
    }
  });

  it("a beta enforcer cannot report blocked calls against acme's rule, nor put any count in acme's audit", async () => {
    const acmeRule = await createRule(cp, { tenant: 'acme' });
    const betaEnforcer = await cp.token('enforcer', 'beta');
    const disconnect = await connectEnforcer(cp, betaEnforcer, 'beta-worker-1');
    try {
      const report = (count: Record<string, unknown>) =>
        cp.request('/v1/enforcers/beta-worker-1/blocks', {
          token: betaEnforcer,
          body: { from: at(), to: at(), counts: [{ tool: 'email.send', count: 1_000_000, ...count }] },
        });
      assert.equal((await report({ ruleId: acmeRule })).status, 403);
      assert.equal((await report({ ruleId: acmeRule, tenant: 'beta' })).status, 403);
      assert.equal((await report({ ruleId: acmeRule, tenant: 'acme' })).status, 403);
      // Nor any figure it likes: a count is bounded.
      assert.equal((await report({ count: 2 ** 31 })).status, 400);
      // Its own counts, without a tenant, are its tenant's.
      assert.equal((await report({ source: 'stale' })).status, 202);
      await cp.plane.flushAudit();
      const acmeViewer = await cp.token('viewer', 'acme');
      const seenByAcme = (await auditOf(cp, acmeViewer)).filter((entry) => entry.action === 'calls-blocked');
      assert.deepEqual(seenByAcme, []);
      const betaViewer = await cp.token('viewer', 'beta');
      const seenByBeta = (await auditOf(cp, betaViewer)).filter((entry) => entry.action === 'calls-blocked');
      assert.deepEqual(
        seenByBeta.map((entry) => [entry.scope, entry.ruleId]),
        [[{ tenant: 'beta' }, undefined]],
      );
    } finally {
      disconnect();
    }
  });

  it("an unbound enforcer's count for acme's rule is acme's, and cannot be put in another tenant", async () => {
    const acmeRule = await createRule(cp, { tenant: 'acme' });
    const unbound = await cp.token('enforcer');
    const disconnect = await connectEnforcer(cp, unbound, 'fleet-worker-1');
    try {
      const report = (count: Record<string, unknown>) =>
        cp.request('/v1/enforcers/fleet-worker-1/blocks', {
          token: unbound,
          body: { from: at(), to: at(), counts: [{ tool: 'crm.update', count: 3, ...count }] },
        });
      assert.equal((await report({ ruleId: acmeRule, tenant: 'beta' })).status, 403);
      assert.equal((await report({ ruleId: acmeRule })).status, 202);
      await cp.plane.flushAudit();
      const entries = (await auditOf(cp, await cp.token('viewer', 'acme'))).filter(
        (entry) => entry.action === 'calls-blocked' && entry.ruleId === acmeRule,
      );
      assert.deepEqual(
        entries.map((entry) => [entry.scope, entry.data?.count]),
        [[{ tenant: 'acme' }, 3]],
      );
    } finally {
      disconnect();
    }
  });

  it("a beta enforcer's drafts and approval requests cannot name acme's rule", async () => {
    const acmeRule = await createRule(cp, { tenant: 'acme' });
    const betaEnforcer = await cp.token('enforcer', 'beta');
    const call = { tenant: 'beta', tool: 'email.send', args: {}, ruleId: acmeRule };
    assert.equal((await cp.request('/v1/drafts', { token: betaEnforcer, body: call })).status, 403);
    assert.equal((await cp.request('/v1/approvals', { token: betaEnforcer, body: call })).status, 403);
  });

  it("a beta run cannot be reported killed by acme's rule", async () => {
    const acmeRule = await createRule(cp, { tenant: 'acme' });
    const betaRule = await createRule(cp, { tenant: 'beta' });
    const betaEnforcer = await cp.token('enforcer', 'beta');
    const start = async (id: string) => {
      const body = { id, tenant: 'beta', enforcer: 'beta-worker', heartbeatMs: 5000, startedAt: at() };
      assert.equal((await cp.request('/v1/runs', { token: betaEnforcer, body })).status, 201);
    };
    await start('beta-run-1');
    const heartbeat = await cp.request('/v1/runs/beta-run-1/heartbeat', {
      token: betaEnforcer,
      body: { status: 'stopped', stopReason: `killed:${acmeRule}`, inFlight: [] },
    });
    assert.equal(heartbeat.status, 403);
    const end = (stopReason: string) =>
      cp.request('/v1/runs/beta-run-1/end', { token: betaEnforcer, body: { stopReason } });
    assert.equal((await end(`killed:${acmeRule}`)).status, 403);
    assert.equal((await end(`killed:${betaRule}`)).status, 204);
    const acmeSees = await auditOf(cp, await cp.token('viewer', 'acme'));
    assert.deepEqual(
      acmeSees.filter((entry) => entry.action === 'run-terminated'),
      [],
    );
    const everything = await auditOf(cp, await cp.token('viewer'));
    assert.ok(!everything.some((entry) => entry.action === 'run-terminated' && entry.ruleId === acmeRule));
  });

  it("refusals of tokens bound to no tenant, naming acme's ids, are not shown to beta", async () => {
    const acmeRule = await createRule(cp, { tenant: 'acme' });
    const unboundViewer = await cp.token('viewer');
    const refused = await cp.request(`/v1/rules/${acmeRule}/lift`, { token: unboundViewer, body: { reason: 'x' } });
    assert.equal(refused.status, 403);
    const everything = await auditOf(cp, await cp.token('viewer'));
    assert.ok(
      everything.some((entry) => entry.action === 'change-refused' && JSON.stringify(entry).includes(acmeRule)),
    );
    const betaSees = await auditOf(cp, await cp.token('viewer', 'beta'));
    assert.ok(!JSON.stringify(betaSees).includes(acmeRule), 'beta saw an acme rule id');
    assert.deepEqual(
      betaSees.filter((entry) => entry.action === 'change-refused' && entry.scope?.tenant !== 'beta'),
      [],
    );
  });

  it('a tenant-bound admin neither lists nor confirms global restore requests (404)', async () => {
    const globalRule = await createRule(cp, {}, 'full_stop');
    const lift = await cp.request(`/v1/rules/${globalRule}/lift`, { body: { reason: 'all clear' } });
    assert.equal(lift.status, 202, JSON.stringify(lift.body));
    const requestId = lift.body.request.id as string;
    const acmeAdmin = await cp.token('admin', 'acme');
    const listed = await cp.request('/v1/restore-requests', { token: acmeAdmin });
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.requests.filter((request: any) => request.id === requestId),
      [],
      'a tenant-bound admin listed a global restore request',
    );
    const confirm = await cp.request(`/v1/restore-requests/${requestId}/confirm`, {
      token: acmeAdmin,
      body: { reason: 'confirming' },
    });
    assert.equal(confirm.status, 404, JSON.stringify(confirm.body));
    assert.equal(confirm.body.code, 'not_found');
    // The unbound admin still sees it.
    const all = await cp.request('/v1/restore-requests');
    assert.ok(all.body.requests.some((request: any) => request.id === requestId));
  });
});

/** Two replicas on one store: a tenant's viewer counts its enforcers on the other replica, and only its. */
async function enforcersAcrossReplicas(createStore: () => Store): Promise<void> {
  const first = await startTestControlPlane({ store: createStore(), replicaPollMs: 100 });
  const second = await startTestControlPlane({ store: createStore(), replicaPollMs: 100 });
  const disconnects: (() => void)[] = [];
  try {
    disconnects.push(await connectEnforcer(first, await first.token('enforcer', 'acme'), 'acme-remote-1'));
    disconnects.push(await connectEnforcer(first, await first.token('enforcer'), 'fleet-remote-1'));
    disconnects.push(await connectEnforcer(first, await first.token('enforcer', 'beta'), 'beta-remote-1'));
    const version = (await second.request('/v1/state')).body.version as number;
    const enforcementFor = async (token: string) =>
      (await second.request(`/v1/versions/${version + 1}/enforcement`, { token })).body;
    const pendingFor = async (token: string) =>
      (await enforcementFor(token)).pending.map((pending: any) => pending.id).sort();
    // The unbound viewer counts both, once the first replica has saved them.
    const unbound = await second.token('viewer');
    await eventually(async () => (await pendingFor(unbound)).length === 3);
    assert.deepEqual(await pendingFor(unbound), ['acme-remote-1', 'beta-remote-1', 'fleet-remote-1']);
    // A tenant's viewer: its enforcers named, unbound ones (which apply its rules too) counted
    // but not named, another tenant's neither.
    const acme = await enforcementFor(await second.token('viewer', 'acme'));
    assert.deepEqual(
      [acme.total, acme.acknowledged, acme.pending.map((pending: any) => pending.id)],
      [2, 0, ['acme-remote-1']],
    );
    const gamma = await enforcementFor(await second.token('viewer', 'gamma'));
    assert.deepEqual([gamma.total, gamma.pending], [1, []]);
    // An enforcer id another replica vouches for is its registering tenant's: another tenant's
    // token cannot take it over there, while the same tenant's enforcer may move.
    const taken = await second.request('/v1/enforcers', {
      token: await second.token('enforcer', 'beta'),
      body: { id: 'acme-remote-1', name: 'impostor', kind: 'sdk' },
    });
    assert.equal(taken.status, 403, JSON.stringify(taken.body));
    const fleetTaken = await second.request('/v1/enforcers', {
      token: await second.token('enforcer', 'beta'),
      body: { id: 'fleet-remote-1', name: 'impostor', kind: 'sdk' },
    });
    assert.equal(fleetTaken.status, 403, JSON.stringify(fleetTaken.body));
    // The same when the registration opens the stream in one request.
    const takenWithStream = await second.request('/v1/enforcers/acme-remote-1/stream', {
      token: await second.token('enforcer', 'beta'),
      body: { id: 'acme-remote-1', name: 'impostor', kind: 'sdk' },
    });
    assert.equal(takenWithStream.status, 403, JSON.stringify(takenWithStream.body));
    assert.equal(takenWithStream.body.code, 'forbidden');
    const moved = await second.request('/v1/enforcers', {
      token: await second.token('enforcer', 'acme'),
      body: { id: 'acme-remote-1', name: 'acme-remote-1', kind: 'sdk' },
    });
    assert.equal(moved.status, 201, JSON.stringify(moved.body));
    const listed = async (token: string) =>
      (await second.request('/v1/enforcers', { token })).body.enforcers.map((record: any) => record.id).sort();
    assert.deepEqual(await listed(await second.token('viewer', 'acme')), ['acme-remote-1']);
    assert.deepEqual(await listed(await second.token('viewer', 'gamma')), []);
  } finally {
    for (const disconnect of disconnects) disconnect();
    await first.close();
    await second.close();
  }
}

describe("a tenant's enforcers on another replica are its, and only its", () => {
  it('in memory', async () => {
    const store = createMemoryStore({ sha256: sha256Hex });
    const shared: Store = { ...store, close: async () => {} };
    await enforcersAcrossReplicas(() => shared);
  });

  it('on one SQLite file', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'estop-cross-tenant-')), 'estop.db');
    await enforcersAcrossReplicas(() => createSqliteStore({ file, sha256: sha256Hex }));
  });

  const postgres = postgresSchema('estop_cross_tenant');
  after(() => postgres.drop());

  it('on PostgreSQL', async (context) => {
    if (!(await postgres.ready(context))) return;
    const { schema } = postgres;
    await enforcersAcrossReplicas(() => createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema }));
  });
});
