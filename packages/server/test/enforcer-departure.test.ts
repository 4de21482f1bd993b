import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore, isEstopError } from '@estop/core';
import { createControlPlane } from '../src/index.js';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { eventually, startTestControlPlane, type TestControlPlane } from './harness.js';

/** Registers an enforcer with `token`; with `stream`, keeps its stream open until `drop` is called. */
async function register(
  cp: TestControlPlane,
  token: string,
  id: string,
  options: { stream?: boolean } = {},
): Promise<{ drop: () => Promise<void> }> {
  const registered = await cp.request('/v1/enforcers', { token, body: { id, name: id, kind: 'sdk' } });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  if (options.stream !== true) return { drop: async () => {} };
  const controller = new AbortController();
  const response = await fetch(`${cp.url}/v1/stream?enforcer=${id}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  await eventually(async () => listed(cp, id).then((record) => record?.connected === true));
  return {
    drop: async () => {
      controller.abort();
      await response.body?.cancel().catch(() => {});
    },
  };
}

async function listed(cp: TestControlPlane, id: string): Promise<{ connected: boolean } | undefined> {
  const answer = await cp.request('/v1/enforcers?limit=1000');
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return (answer.body.enforcers as { id: string; connected: boolean }[]).find((record) => record.id === id);
}

async function stored(cp: TestControlPlane, id: string): Promise<boolean> {
  return (await cp.store.enforcers.list()).some((record) => record.id === id);
}

/** DELETE /v1/enforcers/:id, with `token` (the environment's admin token when not given; none when null). */
const deregister = (cp: TestControlPlane, id: string, token?: string | null) =>
  cp.request(`/v1/enforcers/${id}`, { method: 'DELETE', token });

describe('an enforcer that deregisters leaves at once', () => {
  let cp: TestControlPlane;
  before(async () => {
    cp = await startTestControlPlane({ keepAliveMs: 100 });
  });
  after(() => cp.close());

  it('leaves the list, the counts of enforcement and the store; its stream and acknowledgements are refused after', async () => {
    const token = await cp.token('enforcer');
    const enforcer = await register(cp, token, 'sdk_leaving', { stream: true });
    const created = await cp.request('/v1/rules', {
      body: { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'departure' },
    });
    const version = created.body.version as number;
    const counted = await cp.request(`/v1/versions/${version}/enforcement`);
    assert.equal(counted.body.total, 1);
    await eventually(() => stored(cp, 'sdk_leaving'));

    const gone = await deregister(cp, 'sdk_leaving', token);
    assert.equal(gone.status, 204);
    assert.equal(await listed(cp, 'sdk_leaving'), undefined);
    assert.equal(await stored(cp, 'sdk_leaving'), false);
    const uncounted = await cp.request(`/v1/versions/${version}/enforcement?wait=30000`);
    assert.deepEqual([uncounted.body.acknowledged, uncounted.body.total, uncounted.body.pending], [0, 0, []]);

    const ack = await cp.request('/v1/enforcers/sdk_leaving/ack', { token, body: { version, inFlight: 0 } });
    assert.equal(ack.status, 404);
    const stream = await fetch(`${cp.url}/v1/stream?enforcer=sdk_leaving`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(stream.status, 404);
    await stream.body?.cancel();
    const again = await deregister(cp, 'sdk_leaving', token);
    assert.equal(again.status, 404);
    assert.equal(again.body.code, 'not_found');
    await enforcer.drop();
    // The same id may register again later, as a new enforcer.
    await register(cp, token, 'sdk_leaving');
    assert.equal((await listed(cp, 'sdk_leaving'))?.connected, false);
  });

  it('tells operator views, as a registration does', async () => {
    const token = await cp.token('enforcer');
    await register(cp, token, 'sdk_watched');
    const controller = new AbortController();
    const events = await fetch(`${cp.url}/v1/events`, {
      headers: { authorization: `Bearer ${await cp.token('viewer')}` },
      signal: controller.signal,
    });
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The first keep-alive says the view is following; then the deregistration.
    while (!text.includes('event: keep-alive')) text += decoder.decode((await reader.read()).value);
    assert.equal((await deregister(cp, 'sdk_watched', token)).status, 204);
    while (!text.includes('event: enforcers')) text += decoder.decode((await reader.read()).value);
    controller.abort();
    assert.match(text, /event: enforcers\ndata: \{"at":"[^"]+"\}/);
  });

  it('keeps the audit entries the enforcer produced, with its id', async () => {
    const token = await cp.token('enforcer');
    await register(cp, token, 'sdk_audited');
    const at = new Date().toISOString();
    const report = await cp.request('/v1/enforcers/sdk_audited/blocks', {
      token,
      body: { from: at, to: at, counts: [{ tool: 'mail.send', tenant: 'acme', count: 3 }] },
    });
    assert.equal(report.status, 202, JSON.stringify(report.body));
    await cp.plane.flushAudit();
    assert.equal((await deregister(cp, 'sdk_audited', token)).status, 204);
    const audit = await cp.request('/v1/audit?limit=10000');
    const blocked = (audit.body.entries as { action: string; data?: { enforcer?: string; count?: number } }[]).filter(
      (entry) => entry.action === 'calls-blocked' && entry.data?.enforcer === 'sdk_audited',
    );
    assert.equal(blocked.length, 1);
    assert.equal(blocked[0]?.data?.count, 3);
  });
});

describe('only the token that registered an enforcer may deregister it', () => {
  let cp: TestControlPlane;
  before(async () => {
    cp = await startTestControlPlane();
  });
  after(() => cp.close());

  it('answers not_found to any other token, of the same tenant, another tenant or none, and the enforcer stays', async () => {
    const owner = await cp.token('enforcer', 'acme');
    await register(cp, owner, 'acme-worker', { stream: true });
    const others = [
      await cp.token('enforcer', 'acme'),
      await cp.token('enforcer', 'globex'),
      await cp.token('enforcer'),
      await cp.token('admin', 'acme'),
    ];
    for (const other of others) {
      const refused = await deregister(cp, 'acme-worker', other);
      assert.equal(refused.status, 404);
      assert.equal(refused.type, 'application/problem+json');
      assert.equal(refused.body.code, 'not_found');
    }
    // The environment's admin did not register it either.
    assert.equal((await deregister(cp, 'acme-worker')).status, 404);
    const viewer = await deregister(cp, 'acme-worker', await cp.token('viewer', 'acme'));
    assert.equal(viewer.status, 403);
    assert.equal((await deregister(cp, 'acme-worker', null)).status, 401);
    assert.equal((await listed(cp, 'acme-worker'))?.connected, true);
    assert.equal((await deregister(cp, 'acme-worker', owner)).status, 204);
    assert.equal(await listed(cp, 'acme-worker'), undefined);
  });

  it('an unknown id is not_found, never a 5xx', async () => {
    const token = await cp.token('enforcer');
    const unknown = await deregister(cp, 'never-registered', token);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'not_found');
  });
});

describe('an enforcer gone longer than forget_after leaves memory, the store and the list', () => {
  let cp: TestControlPlane;
  let now = Date.now();
  before(async () => {
    cp = await startTestControlPlane({ clock: { now: () => now }, enforcers: { forgetAfterMs: 10_000 } });
  });
  after(() => cp.close());

  it('forgets the dropped and the never-connected, keeps the connected, and leaves the audit alone', async () => {
    const token = await cp.token('enforcer');
    const dropped = await register(cp, token, 'sdk_dropped', { stream: true });
    await register(cp, token, 'sdk_silent');
    const staying = await register(cp, token, 'sdk_staying', { stream: true });
    await eventually(async () => (await stored(cp, 'sdk_dropped')) && (await stored(cp, 'sdk_silent')));
    await dropped.drop();
    await eventually(async () => (await listed(cp, 'sdk_dropped'))?.connected === false);
    const auditBefore = (await cp.request('/v1/audit?limit=10000')).body.entries.length as number;

    // Within forget_after nothing is forgotten, however many flushes pass.
    now += 9_000;
    const flushedAt = new Date(now).toISOString();
    await eventually(async () =>
      (await cp.store.enforcers.list()).some(
        (record) => record.id === 'sdk_staying' && record.lastSeenAt === flushedAt,
      ),
    );
    assert.notEqual(await listed(cp, 'sdk_dropped'), undefined);
    assert.notEqual(await listed(cp, 'sdk_silent'), undefined);
    assert.equal(await stored(cp, 'sdk_dropped'), true);

    // Past forget_after, and past the next sweep of the store (at most one every 5 s).
    now += 6_000;
    await eventually(async () => (await listed(cp, 'sdk_dropped')) === undefined);
    await eventually(async () => (await listed(cp, 'sdk_silent')) === undefined);
    await eventually(async () => !(await stored(cp, 'sdk_dropped')) && !(await stored(cp, 'sdk_silent')));
    assert.equal((await listed(cp, 'sdk_staying'))?.connected, true);
    assert.equal(await stored(cp, 'sdk_staying'), true);
    assert.equal((await cp.request('/v1/audit?limit=10000')).body.entries.length, auditBefore);

    // A forgotten enforcer's stream is refused; registering again brings it back.
    const stream = await fetch(`${cp.url}/v1/stream?enforcer=sdk_dropped`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(stream.status, 404);
    await stream.body?.cancel();
    await register(cp, token, 'sdk_dropped');
    assert.notEqual(await listed(cp, 'sdk_dropped'), undefined);
    await staying.drop();
  });
});

describe('a forget_after too short to be safe for replicas is refused', () => {
  it('refuses under 10s with config_invalid, naming the setting', async () => {
    await assert.rejects(
      createControlPlane({ store: createMemoryStore({ sha256: sha256Hex }), enforcers: { forgetAfterMs: 5_000 } }),
      (error: unknown) =>
        isEstopError(error, 'config_invalid') && /enforcers\.forget_after.*at least 10s/.test(error.message),
    );
  });
});
