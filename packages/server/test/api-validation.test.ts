import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestControlPlane, type TestControlPlane } from './harness.js';

let cp: TestControlPlane;
before(async () => {
  cp = await startTestControlPlane();
});
after(() => cp.close());

function assertProblem(response: { status: number; type: string; body: any }, status: number, code: string) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.type, /^application\/problem\+json/);
  assert.equal(response.body.code, code);
  assert.equal(response.body.status, status);
  assert.equal(typeof response.body.detail, 'string');
}

describe('requests without a valid token are refused with 401', () => {
  it('refuses a missing token', async () => {
    assertProblem(await cp.request('/v1/rules', { token: null }), 401, 'unauthorized');
  });
  it('refuses an unknown token', async () => {
    assertProblem(await cp.request('/v1/rules', { token: 'estop_nope' }), 401, 'unauthorized');
  });
  it('refuses a revoked token', async () => {
    const secret = await cp.token('viewer');
    assert.equal((await cp.request('/v1/rules', { token: secret })).status, 200);
    const { body } = await cp.request('/v1/tokens');
    const id = body.tokens.find((token: any) => token.role === 'viewer').id;
    assert.equal((await cp.request(`/v1/tokens/${id}`, { method: 'DELETE' })).status, 204);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the authentication cache
    assertProblem(await cp.request('/v1/rules', { token: secret }), 401, 'unauthorized');
  });
});

describe('a role that does not cover the action gets 403', () => {
  it('a viewer cannot stop anything', async () => {
    const viewer = await cp.token('viewer');
    const response = await cp.request('/v1/rules', { token: viewer, body: { mode: 'full_stop', reason: 'x' } });
    assertProblem(response, 403, 'forbidden');
  });
  it('an operator can stop but cannot restore or create tokens', async () => {
    const operator = await cp.token('operator');
    const created = await cp.request('/v1/rules', {
      token: operator,
      body: { scope: { tenant: 'role-test' }, mode: 'read_only', reason: 'test' },
    });
    assert.equal(created.status, 201);
    const lift = await cp.request(`/v1/rules/${created.body.rule.id}/lift`, { token: operator, body: { reason: 'r' } });
    assertProblem(lift, 403, 'forbidden');
    assertProblem(
      await cp.request('/v1/tokens', { token: operator, body: { name: 'x', role: 'admin' } }),
      403,
      'forbidden',
    );
  });
  it('an enforcer cannot create rules and a viewer cannot acknowledge', async () => {
    const enforcer = await cp.token('enforcer');
    const viewer = await cp.token('viewer');
    assertProblem(
      await cp.request('/v1/rules', { token: enforcer, body: { mode: 'full_stop', reason: 'x' } }),
      403,
      'forbidden',
    );
    const register = await cp.request('/v1/enforcers', { token: viewer, body: { id: 'e1', name: 'e1', kind: 'sdk' } });
    assertProblem(register, 403, 'forbidden');
  });
});

describe('bad input gets 400 problem+json and changes nothing', () => {
  it('rejects garbage JSON', async () => {
    assertProblem(await cp.request('/v1/rules', { rawBody: '{not json' }), 400, 'invalid_request');
  });
  it('rejects an unknown mode, naming the modes', async () => {
    const response = await cp.request('/v1/rules', { body: { mode: 'pause', reason: 'x' } });
    assertProblem(response, 400, 'invalid_request');
    assert.match(response.body.detail, /full_stop/);
  });
  it('requires a reason', async () => {
    assertProblem(await cp.request('/v1/rules', { body: { mode: 'full_stop', reason: '  ' } }), 400, 'invalid_request');
  });
  it('rejects unknown fields', async () => {
    const response = await cp.request('/v1/rules', {
      body: { mode: 'full_stop', reason: 'x', scope: { tennant: 'a' } },
    });
    assertProblem(response, 400, 'invalid_request');
  });
  it('rejects a bad duration', async () => {
    assertProblem(
      await cp.request('/v1/rules', { body: { mode: 'full_stop', reason: 'x', expiresIn: 'soon' } }),
      400,
      'invalid_request',
    );
  });
  it('rejects a bad query', async () => {
    assertProblem(await cp.request('/v1/audit?limit=-1'), 400, 'invalid_request');
  });
  it('answers unknown routes with 404 problem+json', async () => {
    assertProblem(await cp.request('/v1/nothing'), 404, 'not_found');
  });
  it('lifting an unknown rule is rule_not_found', async () => {
    assertProblem(await cp.request('/v1/rules/r_missing/lift', { body: { reason: 'x' } }), 404, 'rule_not_found');
  });
  it('none of the refused requests changed anything (401 and 403 ones are audited as refused)', async () => {
    const { body } = await cp.request('/v1/audit');
    const actions = body.entries.map((entry: any) => entry.action);
    assert.ok(
      actions.every((action: string) =>
        ['token-created', 'token-revoked', 'rule-created', 'change-refused'].includes(action),
      ),
    );
  });
});

describe('bad approval, draft and idempotency input gets 400 problem+json', () => {
  it('refuses a timeout under a second, a bad hash, a missing reason and too long a wait', async () => {
    const call = { tenant: 'acme', tool: 'email.send', args: {} };
    assertProblem(await cp.request('/v1/approvals', { body: { ...call, timeoutMs: 10 } }), 400, 'invalid_request');
    const approval = await cp.request('/v1/approvals', { body: call });
    assert.equal(approval.status, 201);
    const { id } = approval.body;
    assertProblem(await cp.request(`/v1/approvals/${id}/consume`, { body: { hash: 'abc' } }), 400, 'invalid_request');
    assertProblem(await cp.request(`/v1/approvals/${id}/approve`, { body: {} }), 400, 'invalid_request');
    assertProblem(await cp.request(`/v1/approvals/${id}?wait=120000`), 400, 'invalid_request');
    assertProblem(await cp.request('/v1/approvals?status=whatever'), 400, 'invalid_request');
    assert.equal((await cp.request(`/v1/approvals/${id}`)).body.status, 'pending');
  });
  it('answers an unknown approval with 404', async () => {
    assertProblem(await cp.request('/v1/approvals/ap_missing'), 404, 'not_found');
    assertProblem(
      await cp.request('/v1/approvals/ap_missing/consume', { body: { hash: 'a'.repeat(64) } }),
      404,
      'not_found',
    );
  });
  it('refuses a draft without a tool, and a listing with a bad before or limit', async () => {
    assertProblem(await cp.request('/v1/drafts', { body: { tenant: 'acme' } }), 400, 'invalid_request');
    assertProblem(await cp.request('/v1/drafts?before=yesterday'), 400, 'invalid_request');
    assertProblem(await cp.request('/v1/drafts?limit=5000'), 400, 'invalid_request');
  });
  it('refuses a block report without counts', async () => {
    await cp.request('/v1/enforcers', { body: { id: 'validation-gw', name: 'gw', kind: 'gateway' } });
    const at = new Date().toISOString();
    assertProblem(
      await cp.request('/v1/enforcers/validation-gw/blocks', { body: { from: at, to: at, counts: [] } }),
      400,
      'invalid_request',
    );
  });
});

describe('health, readiness and metrics need no token', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    assert.deepEqual((await cp.request('/healthz', { token: null })).body, { status: 'ok' });
    const ready = await cp.request('/readyz', { token: null });
    assert.equal(ready.body.status, 'ready');
    const metrics = await fetch(`${cp.url}/metrics`);
    const text = await metrics.text();
    for (const name of [
      'estop_rules_active',
      'estop_enforcers_connected',
      'estop_state_version',
      'estop_propagation_seconds',
    ]) {
      assert.match(text, new RegExp(name));
    }
  });
});
