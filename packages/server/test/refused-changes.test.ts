import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry } from '@estop/core';
import { ADMIN_TOKEN, startTestControlPlane, type TestControlPlane } from './harness.js';

async function refusals(cp: TestControlPlane): Promise<AuditEntry[]> {
  const { body } = await cp.request('/v1/audit?limit=10000');
  return (body.entries as AuditEntry[]).filter((entry) => entry.action === 'change-refused');
}

describe('every refused attempt to change something is audited, without the token', () => {
  let cp: TestControlPlane;
  before(async () => {
    cp = await startTestControlPlane();
  });
  after(() => cp.close());

  it('records a viewer trying to stop agents, with who, what and the code', async () => {
    const viewer = await cp.token('viewer', undefined, 'curious-viewer');
    const response = await cp.request('/v1/rules', {
      token: viewer,
      body: { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'x' },
    });
    assert.equal(response.status, 403);
    const [entry] = (await refusals(cp)).slice(-1);
    assert.deepEqual({ id: entry?.actor.id, kind: entry?.actor.kind }, { id: 'curious-viewer', kind: 'human' });
    assert.match(entry?.actor.principalId ?? '', /^p_/);
    assert.deepEqual(entry?.data, { method: 'POST', path: '/v1/rules', code: 'forbidden' });
    assert.ok(!JSON.stringify(entry).includes(viewer));
  });

  it('records an unknown token as an unknown human, and never the token itself', async () => {
    const guessed = 'estop_guessed-secret-value';
    const response = await cp.request('/v1/tokens/t_1', { method: 'DELETE', token: guessed });
    assert.equal(response.status, 401);
    const [entry] = (await refusals(cp)).slice(-1);
    assert.deepEqual(entry?.actor, { id: 'unknown', kind: 'human' });
    assert.deepEqual(entry?.data, { method: 'DELETE', path: '/v1/tokens/t_1', code: 'unauthorized' });
    assert.ok(!JSON.stringify(entry).includes('guessed-secret'));
  });

  it('records a tenant token reaching outside its tenant, scoped to its own tenant', async () => {
    const operator = await cp.token('operator', 'acme');
    const response = await cp.request('/v1/rules', {
      token: operator,
      body: { scope: { tenant: 'globex' }, mode: 'full_stop', reason: 'x' },
    });
    assert.equal(response.status, 403);
    const [entry] = (await refusals(cp)).slice(-1);
    assert.deepEqual(entry?.scope, { tenant: 'acme' });
  });

  it('does not record reads, nor enforcers registering, deregistering, acknowledging or reporting heartbeats', async () => {
    const before = (await refusals(cp)).length;
    const agent = await cp.token('agent');
    assert.equal((await cp.request('/v1/rules', { token: agent })).status, 403);
    assert.equal((await cp.request('/v1/enforcers', { token: agent, body: {} })).status, 403);
    assert.equal((await cp.request('/v1/enforcers/e1/ack', { token: agent, body: {} })).status, 403);
    assert.equal((await cp.request('/v1/enforcers/e1', { method: 'DELETE', token: agent })).status, 403);
    assert.equal((await cp.request('/v1/enforcers/e1', { method: 'DELETE', token: 'estop_revoked' })).status, 401);
    assert.equal((await cp.request('/v1/enforcers/acks', { token: agent, body: {} })).status, 403);
    assert.equal((await cp.request('/v1/runs/r1/heartbeat', { token: agent, body: {} })).status, 403);
    assert.equal((await refusals(cp)).length, before);
  });

  it('keeps the chain intact', async () => {
    assert.equal((await cp.request('/v1/audit/verify')).body.ok, true);
  });
});

describe('repeated failed authentication from one address is rate-limited', () => {
  let cp: TestControlPlane;
  let now = Date.parse('2026-11-22T05:00:00Z');
  before(async () => {
    cp = await startTestControlPlane({ clock: { now: () => now } });
  });
  after(() => cp.close());

  it('answers 401 twenty times, then 429 problem+json with Retry-After', async () => {
    for (let attempt = 1; attempt <= 20; attempt += 1) {
      assert.equal((await cp.request('/v1/state', { token: 'estop_wrong' })).status, 401);
    }
    const response = await fetch(`${cp.url}/v1/state`, { headers: { authorization: 'Bearer estop_wrong' } });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.equal(response.headers.get('retry-after'), '60');
    assert.equal(((await response.json()) as { code: string }).code, 'rate_limited');
  });

  it('still serves a valid token from the same address', async () => {
    assert.equal((await cp.request('/v1/state', { token: ADMIN_TOKEN })).status, 200);
    assert.equal((await cp.request('/v1/state', { token: null })).status, 429);
  });

  it('lets the address try again once the window has passed', async () => {
    now += 60_000;
    assert.equal((await cp.request('/v1/state', { token: 'estop_wrong' })).status, 401);
  });
});
