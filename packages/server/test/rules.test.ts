import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestControlPlane, type TestControlPlane } from './harness.js';

let cp: TestControlPlane;
before(async () => {
  cp = await startTestControlPlane({ expiryCheckMs: 50 });
});
after(() => cp.close());

describe('every switch flipped or lifted bumps the version and is audited', () => {
  it('creates, lists and lifts a rule', async () => {
    const before = (await cp.request('/v1/rules')).body.version;
    const created = await cp.request('/v1/rules', {
      body: { scope: { tenant: 'acme', tool: 'email.*' }, mode: 'disable_writes', reason: 'duplicate emails' },
    });
    assert.equal(created.status, 201);
    const { rule, version } = created.body;
    assert.equal(version, before + 1);
    assert.equal(rule.mode, 'read_only');
    assert.deepEqual(rule.scope, { tenant: 'acme', tool: 'email.*' });
    assert.deepEqual(rule.actor, {
      id: 'admin (ESTOP_ADMIN_TOKEN)',
      kind: 'human',
      principalId: 'p_bootstrap',
      tokenId: 'env-admin',
    });
    assert.equal(rule.cancelInFlight, false);

    const listed = await cp.request('/v1/rules');
    assert.ok(listed.body.rules.some((item: any) => item.id === rule.id));

    const lifted = await cp.request(`/v1/rules/${rule.id}/lift`, { body: { reason: 'fixed the prompt' } });
    assert.equal(lifted.status, 200);
    assert.equal(lifted.body.version, version + 1);
    assert.equal(
      (await cp.request('/v1/rules')).body.rules.some((item: any) => item.id === rule.id),
      false,
    );
    const record = await cp.request(`/v1/rules/${rule.id}`);
    assert.equal(record.body.lift.reason, 'fixed the prompt');

    const audit = (await cp.request('/v1/audit')).body.entries.filter((entry: any) => entry.ruleId === rule.id);
    assert.deepEqual(
      audit.map((entry: any) => [entry.action, entry.reason]),
      [
        ['rule-created', 'duplicate emails'],
        ['rule-lifted', 'fixed the prompt'],
      ],
    );
    assert.deepEqual((await cp.request('/v1/audit/verify')).body.ok, true);
  });

  it('a stop that names no mode takes the default, read_only', async () => {
    const created = await cp.request('/v1/rules', { body: { scope: { tenant: 'default-mode' }, reason: 'r' } });
    assert.equal(created.body.rule.mode, 'read_only');
  });
});

describe('expired rules are lifted by the system', () => {
  it('lifts on time and audits it with actor kind system', async () => {
    const created = await cp.request('/v1/rules', {
      body: { scope: { tenant: 'expiring' }, mode: 'full_stop', reason: 'brief', expiresIn: '200ms' },
    });
    const id = created.body.rule.id;
    await eventually(async () => !(await cp.request('/v1/rules')).body.rules.some((rule: any) => rule.id === id));
    const entry = (await cp.request('/v1/audit')).body.entries.find(
      (item: any) => item.ruleId === id && item.action === 'rule-expired',
    );
    assert.equal(entry.actor.kind, 'system');
  });
  it('refuses an expiry in the past', async () => {
    const response = await cp.request('/v1/rules', {
      body: { mode: 'full_stop', reason: 'x', scope: { tenant: 't' }, expiresAt: '2000-01-01T00:00:00Z' },
    });
    assert.equal(response.status, 400);
  });
});

describe('a tenant-bound token acts only within its tenant', () => {
  it('creates rules for its tenant only, never global or another tenant', async () => {
    const operator = await cp.token('operator', 'acme');
    const own = await cp.request('/v1/rules', {
      token: operator,
      body: { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'x' },
    });
    assert.equal(own.status, 201);
    const other = await cp.request('/v1/rules', {
      token: operator,
      body: { scope: { tenant: 'globex' }, mode: 'read_only', reason: 'x' },
    });
    assert.equal(other.status, 403);
    const global = await cp.request('/v1/rules', { token: operator, body: { mode: 'full_stop', reason: 'x' } });
    assert.equal(global.status, 403);
  });
  it('sees only its tenant and global rules', async () => {
    await cp.request('/v1/rules', { body: { scope: { tenant: 'globex' }, mode: 'read_only', reason: 'other tenant' } });
    const viewer = await cp.token('viewer', 'acme');
    const { body } = await cp.request('/v1/rules', { token: viewer });
    assert.ok(body.rules.length > 0);
    assert.ok(body.rules.every((rule: any) => rule.scope.tenant === undefined || rule.scope.tenant === 'acme'));
  });
  it("cannot lift another tenant's rule", async () => {
    const created = await cp.request('/v1/rules', {
      body: { scope: { tenant: 'globex' }, mode: 'read_only', reason: 'x' },
    });
    const admin = await cp.token('admin', 'acme');
    const lift = await cp.request(`/v1/rules/${created.body.rule.id}/lift`, { token: admin, body: { reason: 'x' } });
    assert.equal(lift.status, 403);
  });
});

describe('tokens are shown once and stored hashed', () => {
  it('never returns the hash or the secret again', async () => {
    const created = await cp.request('/v1/tokens', { body: { name: 'ci', role: 'operator' } });
    assert.match(created.body.token, /^estop_/);
    assert.equal(created.body.info.hash, undefined);
    const listed = await cp.request('/v1/tokens');
    const text = JSON.stringify(listed.body);
    assert.equal(text.includes(created.body.token), false);
    assert.equal(text.includes('"hash"'), false);
    const audit = await cp.request('/v1/audit');
    assert.equal(JSON.stringify(audit.body).includes(created.body.token), false);
  });
});

describe('an agent token identifies an agent and can do nothing else', () => {
  it('answers whoami and refuses everything else', async () => {
    const agent = await cp.token('agent', 'acme', 'mailer');
    const whoami = await cp.request('/v1/whoami', { token: agent });
    assert.deepEqual([whoami.body.role, whoami.body.tenant, whoami.body.name], ['agent', 'acme', 'mailer']);
    assert.equal((await cp.request('/v1/rules', { token: agent })).status, 403);
    assert.equal((await cp.request('/v1/state', { token: agent })).status, 403);
    assert.equal(
      (await cp.request('/v1/rules', { token: agent, body: { mode: 'full_stop', reason: 'x' } })).status,
      403,
    );
  });
});
