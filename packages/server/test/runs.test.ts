import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Clock } from '@estop/core';
import { startTestControlPlane, type TestControlPlane } from './harness.js';

let now = Date.parse('2026-03-01T10:00:00.000Z');
const clock: Clock = { now: () => now };

let cp: TestControlPlane;
let enforcer: string;
before(async () => {
  cp = await startTestControlPlane({ clock });
  enforcer = await cp.token('enforcer', undefined, 'worker-pool');
});
after(() => cp.close());

let next = 0;
function start(overrides: Record<string, unknown> = {}) {
  next += 1;
  return {
    id: `run-${next}`,
    tenant: 'acme',
    agent: 'mailer',
    enforcer: 'sdk-host-1',
    budgets: { maxUsd: 2 },
    heartbeatMs: 1000,
    startedAt: new Date(now).toISOString(),
    ...overrides,
  };
}

async function register(body: Record<string, unknown>, token = enforcer): Promise<string> {
  const response = await cp.request('/v1/runs', { token, body });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return body.id as string;
}

async function listed(id: string, token?: string): Promise<any> {
  const response = await cp.request('/v1/runs', token === undefined ? {} : { token });
  assert.equal(response.status, 200);
  return response.body.runs.find((run: any) => run.id === id);
}

describe('runs register, report their calls in flight, and are listed', () => {
  it('lists a registered run with the calls its last heartbeat named', async () => {
    const id = await register(start());
    const beat = await cp.request(`/v1/runs/${id}/heartbeat`, {
      token: enforcer,
      body: { status: 'running', inFlight: [{ tool: 'email.send', startedAt: new Date(now).toISOString() }] },
    });
    assert.equal(beat.status, 204);
    const run = await listed(id);
    assert.equal(run.status, 'running');
    assert.equal(run.tenant, 'acme');
    assert.deepEqual(
      run.inFlight.map((call: any) => call.tool),
      ['email.send'],
    );
  });

  it('shows a run not heard from for three heartbeat intervals as lost', async () => {
    const id = await register(start());
    now += 3001;
    assert.equal((await listed(id)).status, 'lost');
    await cp.request(`/v1/runs/${id}/heartbeat`, { token: enforcer, body: { status: 'running', inFlight: [] } });
    assert.equal((await listed(id)).status, 'running');
  });

  it('refuses malformed input with problem+json, and reports on unknown runs with not_found', async () => {
    const bad = await cp.request('/v1/runs', { token: enforcer, body: { ...start(), extra: true } });
    assert.equal(bad.status, 400);
    assert.match(bad.type, /application\/problem\+json/);
    const unknown = await cp.request('/v1/runs/nobody/heartbeat', {
      token: enforcer,
      body: { status: 'running', inFlight: [] },
    });
    assert.equal(unknown.status, 404);
    const badReason = await cp.request(`/v1/runs/${await register(start())}/end`, {
      token: enforcer,
      body: { stopReason: 'budget_exceeded:max_money' },
    });
    assert.equal(badReason.status, 400);
  });
});

describe('a tenant token cannot touch another tenant’s runs', () => {
  it('a tenant enforcer registers runs of its tenant only, and a tenant viewer sees only them', async () => {
    const acmeEnforcer = await cp.token('enforcer', 'acme');
    const refused = await cp.request('/v1/runs', { token: acmeEnforcer, body: start({ tenant: 'globex' }) });
    assert.equal(refused.status, 403);
    const acmeRun = await register(start(), acmeEnforcer);
    const globexRun = await register(start({ tenant: 'globex' }));
    const viewer = await cp.token('viewer', 'acme');
    assert.ok(await listed(acmeRun, viewer));
    assert.equal(await listed(globexRun, viewer), undefined);
  });

  it('under a global stop, a tenant viewer counts only its tenant’s runs', async () => {
    const acmeRun = await register(start({ tenant: 'acme' }));
    await register(start({ tenant: 'globex' }));
    const created = await cp.request('/v1/rules', { body: { scope: {}, mode: 'full_stop', reason: 'drill' } });
    const { rule, version } = created.body;
    const viewer = await cp.token('viewer', 'acme');
    const path = `/v1/versions/${version}/enforcement?rule=${rule.id}`;
    const all = (await cp.request(path)).body.runs;
    const acmeOnly = (await cp.request(path, { token: viewer })).body.runs;
    assert.ok(all.affected > acmeOnly.affected);
    const acmeRuns = (await cp.request('/v1/runs', { token: viewer })).body.runs.filter(
      (run: any) => run.status !== 'ended',
    );
    assert.equal(acmeOnly.affected, acmeRuns.length);
    assert.ok(acmeRuns.some((run: any) => run.id === acmeRun));
    await cp.request(`/v1/rules/${rule.id}/lift`, { body: { reason: 'drill over' } });
  });

  it('another token cannot report on a run it did not register', async () => {
    const id = await register(start());
    const other = await cp.token('enforcer');
    const response = await cp.request(`/v1/runs/${id}/heartbeat`, {
      token: other,
      body: { status: 'running', inFlight: [] },
    });
    assert.equal(response.status, 403);
  });
});

describe('a terminated run is audited once, with who terminated it', () => {
  it('audits a budget termination with the actor budget:<run>, and an agent’s own end not at all', async () => {
    const exceeded = await register(start());
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await cp.request(`/v1/runs/${exceeded}/end`, {
        token: enforcer,
        body: { stopReason: 'budget_exceeded:max_usd' },
      });
      assert.equal(response.status, 204);
    }
    const ended = await register(start());
    await cp.request(`/v1/runs/${ended}/end`, { token: enforcer, body: { stopReason: 'ended' } });
    const entries = (await cp.request('/v1/audit')).body.entries.filter(
      (entry: any) => entry.action === 'run-terminated',
    );
    const forExceeded = entries.filter((entry: any) => entry.scope?.run === exceeded);
    assert.equal(forExceeded.length, 1);
    assert.deepEqual(forExceeded[0].actor, { id: `budget:${exceeded}`, kind: 'system' });
    assert.equal(forExceeded[0].reason, 'budget_exceeded:max_usd');
    assert.equal(
      entries.some((entry: any) => entry.scope?.run === ended),
      false,
    );
    assert.equal((await listed(exceeded)).status, 'ended');
  });
});

describe('killing a run is a durable, audited run-scoped full_stop, and its enforcement counts the run honestly', () => {
  it('creates the rule, and reports the run affected, then stopped with calls in flight, then terminated', async () => {
    const id = await register(start());
    const operator = await cp.token('operator');
    const viewerOnly = await cp.token('viewer');
    assert.equal(
      (await cp.request(`/v1/runs/${id}/kill`, { token: viewerOnly, body: { reason: 'looping' } })).status,
      403,
    );
    const killed = await cp.request(`/v1/runs/${id}/kill`, { token: operator, body: { reason: 'looping' } });
    assert.equal(killed.status, 201, JSON.stringify(killed.body));
    const { rule, version } = killed.body;
    assert.deepEqual(rule.scope, { tenant: 'acme', run: id });
    assert.equal(rule.mode, 'full_stop');
    assert.equal(rule.cancelInFlight, true);
    assert.equal(killed.body.run.id, id);

    const enforcement = async () => (await cp.request(`/v1/versions/${version}/enforcement?rule=${rule.id}`)).body.runs;
    assert.deepEqual(await enforcement(), { affected: 1, stopped: 0, terminated: 0, inFlight: 0 });
    await cp.request(`/v1/runs/${id}/heartbeat`, {
      token: enforcer,
      body: {
        status: 'stopped',
        stopReason: `killed:${rule.id}`,
        inFlight: [{ tool: 'email.send', startedAt: new Date(now).toISOString() }],
      },
    });
    assert.deepEqual(await enforcement(), { affected: 1, stopped: 1, terminated: 0, inFlight: 1 });
    await cp.request(`/v1/runs/${id}/end`, { token: enforcer, body: { stopReason: `killed:${rule.id}` } });
    assert.deepEqual(await enforcement(), { affected: 1, stopped: 1, terminated: 1, inFlight: 0 });

    const audit = (await cp.request('/v1/audit')).body.entries.filter((entry: any) => entry.scope?.run === id);
    assert.deepEqual(
      audit.map((entry: any) => entry.action),
      ['rule-created', 'run-terminated'],
    );
  });
});
