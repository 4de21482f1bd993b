import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { receiverKey, receiverName } from '../src/notify/receiver.js';
import { ADMIN_TOKEN, startTestControlPlane, type TestControlPlane } from './harness.js';
import { startReceiver, type TestReceiver } from './webhook-receiver.js';

/**
 * Who may call what: every endpoint × every role × tenant binding. The table is the
 * documentation (docs/governance.md renders it in prose); the test checks the server against it.
 *
 * The rule, token and run that requests act on belong to tenant `acme`. Each role is tried with
 * a token bound to no tenant, one bound to `acme` (the object's tenant) and one bound to
 * `globex` (another tenant), and without any token (`none`).
 */
const ROLES = ['viewer', 'operator', 'admin', 'enforcer', 'agent', 'hook'] as const;
type Role = (typeof ROLES)[number];
type Binding = 'unbound' | 'same tenant' | 'other tenant';
const BINDINGS: readonly Binding[] = ['unbound', 'same tenant', 'other tenant'];
const TENANT = 'acme';
const OTHER_TENANT = 'globex';

/**
 * What a token bound to another tenant gets from a role that may call the endpoint:
 * `allow` (it sees or acts on its own tenant only: lists are filtered, kills confined),
 * `forbidden` (403), or `hidden` (404: the object is not shown to it at all).
 */
type OtherTenant = 'allow' | 'forbidden' | 'hidden';

/** A request to send; `prepare` (run with the caller's token) sets up what the request acts on. */
interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Endpoint {
  name: string;
  /** Roles that may call it; `public` needs no token at all. */
  roles: readonly Role[] | 'public';
  otherTenant: OtherTenant;
  prepare: (caller: string | null) => Promise<Call>;
}

let cp: TestControlPlane;
let counter = 0;
const unique = (prefix: string) => `${prefix}-${(counter += 1)}`;
const HUMAN_READERS: readonly Role[] = ['viewer', 'operator', 'admin'];
const STATE_READERS: readonly Role[] = ['viewer', 'operator', 'admin', 'enforcer'];
const ENFORCERS: readonly Role[] = ['enforcer', 'admin'];
const at = () => new Date().toISOString();

async function createRule(): Promise<string> {
  const created = await cp.request('/v1/rules', {
    body: { scope: { tenant: TENANT }, mode: 'read_only', reason: 'matrix' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.rule.id as string;
}

/** A pending restore request for a fresh full_stop on acme, which needs a second admin. */
async function requestRestore(): Promise<string> {
  const created = await cp.request('/v1/rules', {
    body: { scope: { tenant: TENANT }, mode: 'full_stop', reason: 'matrix' },
  });
  const lift = await cp.request(`/v1/rules/${created.body.rule.id}/lift`, { body: { reason: 'matrix' } });
  assert.equal(lift.status, 202, JSON.stringify(lift.body));
  return lift.body.request.id as string;
}

/** A pending request for a new admin principal of acme, made by the environment's admin. */
async function requestAdmin(): Promise<string> {
  const asked = await cp.request('/v1/tokens', {
    body: { name: unique('matrix-admin'), role: 'admin', tenant: TENANT },
  });
  assert.equal(asked.status, 202, JSON.stringify(asked.body));
  return asked.body.request.id as string;
}

let ownerToken = '';
/** Registers an acme run with the caller's token when it may, else with another enforcer token. */
async function registerRun(caller: string | null): Promise<string> {
  const id = unique('run');
  const start = { id, tenant: TENANT, enforcer: 'matrix-worker', heartbeatMs: 5000, startedAt: at() };
  const byCaller = caller === null ? undefined : await cp.request('/v1/runs', { token: caller, body: start });
  if (byCaller?.status !== 201) {
    const byOwner = await cp.request('/v1/runs', { token: ownerToken, body: start });
    assert.equal(byOwner.status, 201, JSON.stringify(byOwner.body));
  }
  return id;
}

/** Registers an enforcer with the caller's token when it may, else with the admin token. */
async function registerEnforcer(caller: string | null): Promise<string> {
  const id = unique('enforcer');
  const body = { id, name: id, kind: 'sdk' };
  const byCaller = caller === null ? undefined : await cp.request('/v1/enforcers', { token: caller, body });
  if (byCaller?.status !== 201) {
    const registered = await cp.request('/v1/enforcers', { body });
    assert.equal(registered.status, 201);
  }
  return id;
}

/** A pending approval for an acme call, requested by the environment's admin (it may act as an enforcer). */
async function requestApproval(): Promise<{ id: string; hash: string }> {
  const requested = await cp.request('/v1/approvals', {
    body: { tenant: TENANT, tool: 'email.send', args: { to: unique('someone') } },
  });
  assert.equal(requested.status, 201, JSON.stringify(requested.body));
  return requested.body as { id: string; hash: string };
}

/** An approved, unused approval for an acme call. */
async function approvedApproval(): Promise<{ id: string; hash: string }> {
  const approval = await requestApproval();
  const approved = await cp.request(`/v1/approvals/${approval.id}/approve`, { body: { reason: 'matrix' } });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  return approval;
}

/** An idempotency key of acme claimed by the environment's admin. */
async function claimKey(): Promise<{ tenant: string; tool: string; key: string; claimId: string }> {
  const key = unique('key');
  const claimed = await cp.request('/v1/idempotency/claim', {
    body: { tenant: TENANT, tool: 'email.send', key, windowMs: 600_000 },
  });
  assert.equal(claimed.body.status, 'claimed', JSON.stringify(claimed.body));
  return { tenant: TENANT, tool: 'email.send', key, claimId: claimed.body.claimId as string };
}

const ENDPOINTS: readonly Endpoint[] = [
  {
    name: 'GET /healthz',
    roles: 'public',
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/healthz' }),
  },
  {
    name: 'GET /readyz',
    roles: 'public',
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/readyz' }),
  },
  {
    name: 'GET /metrics',
    roles: 'public',
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/metrics' }),
  },
  {
    name: 'GET /v1/whoami',
    roles: ROLES,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/whoami' }),
  },
  // Approvals come before any endpoint that creates a rule on acme: consuming re-decides the
  // call against the current state, and those rules would rightly refuse it (409).
  {
    name: 'POST /v1/approvals',
    roles: ENFORCERS,
    otherTenant: 'forbidden',
    prepare: async () => ({
      method: 'POST',
      path: '/v1/approvals',
      body: { tenant: TENANT, tool: 'email.send', args: { to: 'a@example.com' } },
    }),
  },
  {
    name: 'GET /v1/approvals',
    roles: HUMAN_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/approvals?status=pending' }),
  },
  {
    name: 'GET /v1/approvals/:id',
    roles: STATE_READERS,
    otherTenant: 'hidden',
    prepare: async () => ({ method: 'GET', path: `/v1/approvals/${(await requestApproval()).id}` }),
  },
  {
    name: 'POST /v1/approvals/:id/approve',
    roles: ['operator', 'admin'],
    otherTenant: 'hidden',
    prepare: async () => ({
      method: 'POST',
      path: `/v1/approvals/${(await requestApproval()).id}/approve`,
      body: { reason: 'matrix' },
    }),
  },
  {
    name: 'POST /v1/approvals/:id/deny',
    roles: ['operator', 'admin'],
    otherTenant: 'hidden',
    prepare: async () => ({
      method: 'POST',
      path: `/v1/approvals/${(await requestApproval()).id}/deny`,
      body: { reason: 'matrix' },
    }),
  },
  {
    name: 'POST /v1/approvals/:id/consume',
    roles: ENFORCERS,
    otherTenant: 'hidden',
    prepare: async () => {
      const { id, hash } = await approvedApproval();
      return { method: 'POST', path: `/v1/approvals/${id}/consume`, body: { hash } };
    },
  },
  {
    name: 'GET /v1/state',
    roles: STATE_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/state' }),
  },
  {
    name: 'GET /v1/stream',
    roles: STATE_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/stream' }),
  },
  {
    name: 'GET /v1/stream resuming from a version (Last-Event-ID)',
    roles: STATE_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/stream', headers: { 'last-event-id': '1' } }),
  },
  {
    name: 'GET /v1/rules',
    roles: HUMAN_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/rules' }),
  },
  {
    name: 'GET /v1/rules/:id',
    roles: HUMAN_READERS,
    otherTenant: 'hidden',
    prepare: async () => ({ method: 'GET', path: `/v1/rules/${await createRule()}` }),
  },
  {
    name: 'POST /v1/rules',
    roles: ['operator', 'admin'],
    otherTenant: 'forbidden',
    prepare: async () => ({
      method: 'POST',
      path: '/v1/rules',
      body: { scope: { tenant: TENANT }, mode: 'read_only', reason: 'matrix' },
    }),
  },
  {
    name: 'POST /v1/rules/:id/lift',
    roles: ['admin'],
    otherTenant: 'forbidden',
    prepare: async () => ({ method: 'POST', path: `/v1/rules/${await createRule()}/lift`, body: { reason: 'matrix' } }),
  },
  {
    name: 'GET /v1/restore-requests',
    roles: ['admin'],
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/restore-requests' }),
  },
  {
    // Requested by the environment's admin, so every caller is a different, second admin.
    name: 'POST /v1/restore-requests/:id/confirm',
    roles: ['admin'],
    otherTenant: 'hidden',
    prepare: async () => ({
      method: 'POST',
      path: `/v1/restore-requests/${await requestRestore()}/confirm`,
      body: { reason: 'matrix' },
    }),
  },
  {
    name: 'GET /v1/versions/:version/enforcement',
    roles: HUMAN_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/versions/0/enforcement' }),
  },
  {
    name: 'POST /v1/enforcers',
    roles: ENFORCERS,
    otherTenant: 'allow',
    prepare: async () => {
      const id = unique('enforcer');
      return { method: 'POST', path: '/v1/enforcers', body: { id, name: id, kind: 'sdk' } };
    },
  },
  {
    // The registration that answers the stream: closed as soon as its status is known.
    name: 'POST /v1/enforcers/:id/stream',
    roles: ENFORCERS,
    otherTenant: 'allow',
    prepare: async () => {
      const id = unique('enforcer');
      return { method: 'POST', path: `/v1/enforcers/${id}/stream`, body: { id, name: id, kind: 'sdk' } };
    },
  },
  {
    // The enforcer is registered with the caller's token: only that identity may acknowledge
    // for it (stream.test.ts shows another token being refused).
    name: 'POST /v1/enforcers/:id/ack',
    roles: ENFORCERS,
    otherTenant: 'allow',
    prepare: async (caller) => ({
      method: 'POST',
      path: `/v1/enforcers/${await registerEnforcer(caller)}/ack`,
      body: { version: 0, inFlight: 0 },
    }),
  },
  {
    name: 'POST /v1/enforcers/acks',
    roles: ENFORCERS,
    otherTenant: 'allow',
    prepare: async (caller) => ({
      method: 'POST',
      path: '/v1/enforcers/acks',
      body: { acks: [{ id: await registerEnforcer(caller), version: 0, inFlight: 0 }] },
    }),
  },
  {
    // Like acknowledgements: registered with the caller's token, which alone may deregister it
    // (enforcer-departure.test.ts shows every other token refused).
    name: 'DELETE /v1/enforcers/:id',
    roles: ENFORCERS,
    otherTenant: 'allow',
    prepare: async (caller) => ({ method: 'DELETE', path: `/v1/enforcers/${await registerEnforcer(caller)}` }),
  },
  {
    name: 'GET /v1/enforcers',
    roles: HUMAN_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/enforcers' }),
  },
  {
    name: 'GET /v1/audit',
    roles: HUMAN_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/audit' }),
  },
  {
    name: 'GET /v1/audit/verify',
    roles: HUMAN_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/audit/verify' }),
  },
  {
    name: 'GET /v1/tokens',
    roles: ['admin'],
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/tokens' }),
  },
  {
    name: 'POST /v1/tokens',
    roles: ['admin'],
    otherTenant: 'forbidden',
    prepare: async () => ({
      method: 'POST',
      path: '/v1/tokens',
      body: { name: unique('matrix-token'), role: 'viewer', tenant: TENANT },
    }),
  },
  {
    name: 'DELETE /v1/tokens/:id',
    roles: ['admin'],
    otherTenant: 'forbidden',
    prepare: async () => {
      const created = await cp.request('/v1/tokens', {
        body: { name: unique('matrix-target'), role: 'viewer', tenant: TENANT },
      });
      return { method: 'DELETE', path: `/v1/tokens/${created.body.info.id}` };
    },
  },
  {
    name: 'GET /v1/tokens/requests',
    roles: ['admin'],
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/tokens/requests' }),
  },
  {
    // A new acme admin principal asked for by the environment's admin: any other admin principal
    // of acme (or unbound) may confirm it; another tenant's admin does not see it.
    name: 'POST /v1/tokens/requests/:id/confirm',
    roles: ['admin'],
    otherTenant: 'hidden',
    prepare: async () => ({
      method: 'POST',
      path: `/v1/tokens/requests/${await requestAdmin()}/confirm`,
      body: { reason: 'matrix' },
    }),
  },
  {
    name: 'POST /v1/runs',
    roles: ENFORCERS,
    otherTenant: 'forbidden',
    prepare: async () => ({
      method: 'POST',
      path: '/v1/runs',
      body: { id: unique('run'), tenant: TENANT, enforcer: 'matrix-worker', heartbeatMs: 5000, startedAt: at() },
    }),
  },
  {
    // Only the token that registered a run reports on it; another tenant's token cannot register it.
    name: 'POST /v1/runs/:id/heartbeat',
    roles: ENFORCERS,
    otherTenant: 'forbidden',
    prepare: async (caller) => ({
      method: 'POST',
      path: `/v1/runs/${await registerRun(caller)}/heartbeat`,
      body: { status: 'running', inFlight: [] },
    }),
  },
  {
    name: 'POST /v1/runs/:id/end',
    roles: ENFORCERS,
    otherTenant: 'forbidden',
    prepare: async (caller) => ({
      method: 'POST',
      path: `/v1/runs/${await registerRun(caller)}/end`,
      body: { stopReason: 'ended' },
    }),
  },
  {
    name: 'GET /v1/runs',
    roles: HUMAN_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/runs' }),
  },
  {
    // Another tenant's operator may kill, but the rule it creates is confined to its own tenant.
    name: 'POST /v1/runs/:id/kill',
    roles: ['operator', 'admin'],
    otherTenant: 'allow',
    prepare: async () => ({
      method: 'POST',
      path: `/v1/runs/${await registerRun(null)}/kill`,
      body: { reason: 'matrix' },
    }),
  },
  {
    name: 'POST /v1/drafts',
    roles: ENFORCERS,
    otherTenant: 'forbidden',
    prepare: async () => ({
      method: 'POST',
      path: '/v1/drafts',
      body: { tenant: TENANT, tool: 'email.send', args: { to: 'a@example.com' } },
    }),
  },
  {
    name: 'GET /v1/drafts',
    roles: HUMAN_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: `/v1/drafts?tenant=${TENANT}` }),
  },
  {
    name: 'POST /v1/idempotency/claim',
    roles: ENFORCERS,
    otherTenant: 'forbidden',
    prepare: async () => ({
      method: 'POST',
      path: '/v1/idempotency/claim',
      body: { tenant: TENANT, tool: 'email.send', key: unique('key'), windowMs: 60_000 },
    }),
  },
  {
    name: 'POST /v1/idempotency/complete',
    roles: ENFORCERS,
    otherTenant: 'forbidden',
    prepare: async () => ({
      method: 'POST',
      path: '/v1/idempotency/complete',
      body: { ...(await claimKey()), result: { ok: true } },
    }),
  },
  {
    name: 'POST /v1/idempotency/release',
    roles: ENFORCERS,
    otherTenant: 'forbidden',
    prepare: async () => ({ method: 'POST', path: '/v1/idempotency/release', body: await claimKey() }),
  },
  {
    name: 'POST /v1/idempotency/batch',
    roles: ENFORCERS,
    otherTenant: 'forbidden',
    prepare: async () => ({
      method: 'POST',
      path: '/v1/idempotency/batch',
      body: {
        ops: [
          { op: 'claim', tenant: TENANT, tool: 'email.send', key: unique('key'), windowMs: 60_000 },
          { op: 'complete', ...(await claimKey()), result: { ok: true } },
        ],
      },
    }),
  },
  {
    // Registered with the caller's token, like acknowledgements; the counts name acme and its rule.
    name: 'POST /v1/enforcers/:id/blocks',
    roles: ENFORCERS,
    otherTenant: 'forbidden',
    prepare: async (caller) => ({
      method: 'POST',
      path: `/v1/enforcers/${await registerEnforcer(caller)}/blocks`,
      body: {
        from: at(),
        to: at(),
        counts: [{ tool: 'email.send', tenant: TENANT, ruleId: await createRule(), count: 2 }],
      },
    }),
  },
  {
    name: 'GET /v1/events',
    roles: HUMAN_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/events' }),
  },
  {
    name: 'GET /v1/sentinels',
    roles: HUMAN_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/sentinels' }),
  },
  {
    name: 'GET /v1/notify',
    roles: HUMAN_READERS,
    otherTenant: 'allow',
    prepare: async () => ({ method: 'GET', path: '/v1/notify' }),
  },
  {
    name: 'POST /v1/notify/test',
    roles: ['admin'],
    otherTenant: 'allow',
    prepare: async () => ({ method: 'POST', path: '/v1/notify/test', body: {} }),
  },
  {
    // Another tenant's hook token is answered, its alert skipped: it stops nothing outside its tenant.
    name: 'POST /v1/hooks/alertmanager',
    roles: ['hook'],
    otherTenant: 'allow',
    prepare: async () => ({
      method: 'POST',
      path: '/v1/hooks/alertmanager',
      body: {
        version: '4',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'MatrixAlert', tenant: TENANT },
            annotations: {},
            startsAt: at(),
            fingerprint: unique('fp'),
          },
        ],
      },
    }),
  },
  {
    name: 'POST /v1/drills',
    roles: ['admin'],
    otherTenant: 'forbidden',
    prepare: async () => ({
      method: 'POST',
      path: '/v1/drills',
      body: { ok: false, scope: { tenant: TENANT }, mode: 'read_only', problems: ['matrix'] },
    }),
  },
];

type Expected = 'allow' | 401 | 403 | 404;

/** The expected answer of one cell, read from the table. */
function expected(endpoint: Endpoint, role: Role | 'none', binding: Binding): Expected {
  if (endpoint.roles === 'public') return 'allow';
  if (role === 'none') return 401;
  if (!endpoint.roles.includes(role)) return 403;
  if (binding !== 'other tenant') return 'allow';
  return endpoint.otherTenant === 'allow' ? 'allow' : endpoint.otherTenant === 'forbidden' ? 403 : 404;
}

/** Sends a call; a stream is closed as soon as its status and type are known. */
async function send(call: Call, token: string | null): Promise<{ status: number; type: string }> {
  const headers: Record<string, string> = { ...call.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${cp.url}${call.path}`, {
    method: call.method,
    headers,
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  });
  await response.body?.cancel();
  return { status: response.status, type: response.headers.get('content-type') ?? '' };
}

describe('every endpoint answers every role and tenant binding as the authorization table says', () => {
  const tokens = new Map<string, string>();
  const key = (role: Role, binding: Binding) => `${role}/${binding}`;
  let now = Date.now();
  let receiver: TestReceiver;

  before(async () => {
    receiver = await startReceiver();
    // A manual clock: each unauthenticated probe starts a fresh rate-limit window, so the
    // matrix sees the 401 itself rather than the 429 that repeated failures earn.
    cp = await startTestControlPlane({
      clock: { now: () => now },
      notify: {
        receivers: [
          {
            key: receiverKey(receiver.url),
            name: receiverName(receiver.url),
            url: receiver.url,
            events: new Set(['rule-created']),
            format: 'json',
          },
        ],
      },
      triggers: [{ alert: 'MatrixAlert', match: {}, scopeFromLabels: ['tenant'], mode: 'read_only' }],
    });
    ownerToken = await cp.token('enforcer', undefined, 'matrix-run-owner');
    for (const role of ROLES) {
      tokens.set(key(role, 'unbound'), await cp.token(role));
      tokens.set(key(role, 'same tenant'), await cp.token(role, TENANT));
      tokens.set(key(role, 'other tenant'), await cp.token(role, OTHER_TENANT));
    }
  });
  after(async () => {
    await cp.close();
    await receiver.close();
  });

  for (const endpoint of ENDPOINTS) {
    it(endpoint.name, async () => {
      const failures: string[] = [];
      const cells: { role: Role | 'none'; binding: Binding; token: string | null }[] = [
        { role: 'none', binding: 'unbound', token: null },
        ...ROLES.flatMap((role) =>
          BINDINGS.map((binding) => ({ role, binding, token: tokens.get(key(role, binding)) as string })),
        ),
      ];
      for (const { role, binding, token } of cells) {
        now += 61_000;
        const call = await endpoint.prepare(token);
        const { status, type } = await send(call, token);
        const want = expected(endpoint, role, binding);
        const cell = `${role} (${binding}): ${call.method} ${call.path} answered ${status}`;
        if (want === 'allow') {
          if (status < 200 || status >= 300) failures.push(`${cell}, expected success`);
        } else {
          if (status !== want) failures.push(`${cell}, expected ${want}`);
          if (type !== 'application/problem+json') failures.push(`${cell} as ${type}, expected problem+json`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }
});

describe('a tenant token cannot touch another tenant', () => {
  before(async () => {
    cp = await startTestControlPlane();
  });
  after(() => cp.close());

  it('cannot create or lift a global rule', async () => {
    const operator = await cp.token('operator', TENANT);
    const admin = await cp.token('admin', TENANT);
    const global = { scope: {}, mode: 'read_only', reason: 'everyone' };
    assert.equal((await cp.request('/v1/rules', { token: operator, body: global })).status, 403);
    const created = await cp.request('/v1/rules', { body: global });
    const lift = await cp.request(`/v1/rules/${created.body.rule.id}/lift`, { token: admin, body: { reason: 'x' } });
    assert.equal(lift.status, 403);
  });

  it('sees only its own tenant in lists', async () => {
    await cp.request('/v1/rules', { body: { scope: { tenant: OTHER_TENANT }, mode: 'full_stop', reason: 'theirs' } });
    const viewer = await cp.token('viewer', TENANT);
    const rules = await cp.request('/v1/rules', { token: viewer });
    assert.ok(rules.body.rules.every((rule: { scope: { tenant?: string } }) => rule.scope.tenant !== OTHER_TENANT));
    const audit = await cp.request('/v1/audit', { token: viewer });
    assert.ok(
      audit.body.entries.every((entry: { scope?: { tenant?: string } }) => entry.scope?.tenant !== OTHER_TENANT),
    );
  });

  it("kills another tenant's run only within its own tenant", async () => {
    const enforcer = await cp.token('enforcer', OTHER_TENANT);
    const start = { id: 'their-run', tenant: OTHER_TENANT, enforcer: 'w', heartbeatMs: 5000, startedAt: at() };
    assert.equal((await cp.request('/v1/runs', { token: enforcer, body: start })).status, 201);
    const operator = await cp.token('operator', TENANT);
    const kill = await cp.request('/v1/runs/their-run/kill', { token: operator, body: { reason: 'x' } });
    assert.equal(kill.status, 201);
    assert.deepEqual(kill.body.rule.scope, { tenant: TENANT, run: 'their-run' });
    assert.equal(kill.body.run, null);
  });

  it('the admin token from the environment is bound to no tenant', async () => {
    assert.equal((await cp.request('/v1/whoami', { token: ADMIN_TOKEN })).body.tenant, undefined);
  });
});

describe('who may mint what: admins only, and no one admin makes another alone', () => {
  before(async () => {
    cp = await startTestControlPlane();
  });
  after(() => cp.close());

  it('while one admin principal exists it mints the second alone; from then on a new admin is a request', async () => {
    const first = await cp.request('/v1/tokens', { body: { name: 'lineage-second', role: 'admin' } });
    assert.equal(first.status, 201);
    const tenantAdmin = await cp.request('/v1/tokens', {
      body: { name: 'lineage-acme-admin', role: 'admin', tenant: TENANT },
    });
    assert.equal(tenantAdmin.status, 202, 'a tenant-bound admin is an admin principal too');
    const bySecond = await cp.request('/v1/tokens', {
      token: first.body.token,
      body: { name: 'lineage-third', role: 'admin' },
    });
    assert.equal(bySecond.status, 202);
    // Another token of an existing admin principal is no new admin: minted at once.
    const forMe = await cp.request('/v1/tokens', { token: first.body.token, body: { forMe: true, role: 'admin' } });
    assert.equal(forMe.status, 201);
    assert.equal(forMe.body.info.principalId, first.body.info.principalId);
    // Confirmed by the other principal, the tenant-bound admin exists and may mint in its tenant.
    const confirmed = await cp.request(`/v1/tokens/requests/${tenantAdmin.body.request.id}/confirm`, {
      token: first.body.token,
      body: { reason: 'lineage' },
    });
    assert.equal(confirmed.status, 200);
    const acmeAdmin = tenantAdmin.body.token as string;
    const viewer = await cp.request('/v1/tokens', {
      token: acmeAdmin,
      body: { name: 'lineage-viewer', role: 'viewer' },
    });
    assert.equal(viewer.status, 201);
    assert.equal(viewer.body.info.tenant, TENANT, 'a tenant-bound admin cannot mint an unbound token');
    const elsewhere = await cp.request('/v1/tokens', {
      token: acmeAdmin,
      body: { name: 'lineage-globex', role: 'viewer', tenant: OTHER_TENANT },
    });
    assert.equal(elsewhere.status, 403);
    for (const name of ['bootstrap-admin', 'system', 'sentinel:flood', 'budget:spend']) {
      const reserved = await cp.request('/v1/tokens', { token: acmeAdmin, body: { name, role: 'viewer' } });
      assert.equal(reserved.status, 400, name);
    }
    const operator = await cp.token('operator');
    const byOperator = await cp.request('/v1/tokens', { token: operator, body: { forMe: true, role: 'operator' } });
    assert.equal(byOperator.status, 403);
  });

  it('the audit records who minted each token by principal and token, and which admin was made alone', async () => {
    const entries = (await cp.request('/v1/audit')).body.entries as any[];
    const created = entries.filter((entry) => entry.action === 'token-created' && entry.data.soleAdmin === true);
    assert.equal(created.length, 1);
    assert.equal(created[0].data.name, 'lineage-second');
    assert.equal(created[0].actor.principalId, 'p_bootstrap');
    assert.equal(created[0].actor.tokenId, 'env-admin');
  });
});

describe('revoking a token ends the streams of every role that may hold one', () => {
  before(async () => {
    cp = await startTestControlPlane({ keepAliveMs: 60_000 });
  });
  after(() => cp.close());

  // `:role` in a path is the role's own name: an enforcer id is one token's.
  const STREAMS: { method: 'GET' | 'POST'; path: string; roles: readonly Role[]; body?: (role: Role) => unknown }[] = [
    { method: 'GET', path: '/v1/stream', roles: STATE_READERS },
    { method: 'GET', path: '/v1/events', roles: HUMAN_READERS },
    {
      method: 'POST',
      path: '/v1/enforcers/sdk_revoked_:role/stream',
      roles: ENFORCERS,
      body: (role) => ({ id: `sdk_revoked_${role}`, name: unique('revoked'), kind: 'sdk' }),
    },
  ];
  for (const { method, path, roles, body } of STREAMS) {
    for (const role of roles) {
      it(`${method} ${path} held by a ${role} token`, async () => {
        const created = await cp.request('/v1/tokens', { body: { name: unique(`stream-${role}`), role } });
        const response = await fetch(`${cp.url}${path.replace(':role', role)}`, {
          method,
          headers: { authorization: `Bearer ${created.body.token}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body(role)),
        });
        assert.equal(response.status, 200);
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        const ended = (async () => {
          try {
            for (;;) if ((await reader.read()).done) return true;
          } catch {
            return true;
          }
        })();
        assert.equal((await cp.request(`/v1/tokens/${created.body.info.id}`, { method: 'DELETE' })).status, 204);
        // Far above the second revocation takes, far below a stream's unbounded life.
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000)));
        assert.equal(await Promise.race([ended, late]), true);
        clearTimeout(timer);
      });
    }
  }
});
