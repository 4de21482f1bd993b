import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, eventually, startTestControlPlane, type TestControlPlane } from './harness.js';

let cp: TestControlPlane;
before(async () => {
  cp = await startTestControlPlane({ keepAliveMs: 100 });
});
after(() => cp.close());

/** A minimal stream reader that collects named events. */
async function openStream(url: string, token: string) {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
  const events: { event: string; data: any }[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          events.push({ event, data: data === undefined ? undefined : JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  return { events, close: () => controller.abort() };
}

describe('the stream sends a snapshot, then every version in order, and keep-alives', () => {
  it('delivers snapshot, changes and keepalives; acks converge', async () => {
    const enforcer = await cp.token('enforcer');
    const registered = await cp.request('/v1/enforcers', {
      token: enforcer,
      body: { id: 'sdk_test1', name: 'worker-1', kind: 'sdk' },
    });
    assert.equal(registered.status, 201);
    const stream = await openStream(`${cp.url}/v1/stream?enforcer=sdk_test1`, enforcer);
    const snapshot = await eventually(() => stream.events.find((event) => event.event === 'snapshot'));
    const start = snapshot.data.version;

    const first = await cp.request('/v1/rules', { body: { scope: { tenant: 'a' }, mode: 'full_stop', reason: 'one' } });
    const second = await cp.request('/v1/rules', {
      body: { scope: { tenant: 'b' }, mode: 'read_only', reason: 'two' },
    });
    await eventually(() => stream.events.filter((event) => event.event === 'change').length === 2);
    const changes = stream.events.filter((event) => event.event === 'change').map((event) => event.data);
    assert.deepEqual(
      changes.map((change) => change.version),
      [start + 1, start + 2],
    );
    assert.equal(changes[0].changes[0].rule.id, first.body.rule.id);
    assert.equal(changes[1].changes[0].rule.id, second.body.rule.id);

    await eventually(() => stream.events.some((event) => event.event === 'keepalive'));

    const pending = await cp.request(`/v1/versions/${second.body.version}/enforcement`);
    assert.deepEqual([pending.body.acknowledged, pending.body.total], [0, 1]);
    assert.equal(pending.body.pending[0].name, 'worker-1');

    const ack = await cp.request('/v1/enforcers/sdk_test1/ack', {
      token: enforcer,
      body: { version: second.body.version, inFlight: 2 },
    });
    assert.equal(ack.status, 204);
    const done = await cp.request(`/v1/versions/${second.body.version}/enforcement?wait=1000`);
    assert.deepEqual([done.body.acknowledged, done.body.total], [1, 1]);
    assert.equal(typeof done.body.ms, 'number');

    const listed = await cp.request('/v1/enforcers');
    const record = listed.body.enforcers.find((item: any) => item.id === 'sdk_test1');
    assert.deepEqual([record.connected, record.current, record.inFlight], [true, true, 2]);

    stream.close();
    await eventually(
      async () => (await cp.request(`/v1/versions/${second.body.version}/enforcement`)).body.total === 0,
    );
  });

  it('a tenant-bound viewer sees only its tenant on the stream, with versions intact', async () => {
    const viewer = await cp.token('viewer', 'a');
    const stream = await openStream(`${cp.url}/v1/stream`, viewer);
    const snapshot = await eventually(() => stream.events.find((event) => event.event === 'snapshot'));
    assert.ok(snapshot.data.rules.every((rule: any) => rule.scope.tenant === undefined || rule.scope.tenant === 'a'));
    const created = await cp.request('/v1/rules', {
      body: { scope: { tenant: 'b' }, mode: 'full_stop', reason: 'hidden' },
    });
    const change = await eventually(() => stream.events.find((event) => event.event === 'change'));
    assert.equal(change.data.version, created.body.version);
    assert.deepEqual(change.data.changes, []);
    stream.close();
  });

  it('an enforcer must register before streaming', async () => {
    const response = await fetch(`${cp.url}/v1/stream?enforcer=unknown`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(response.status, 404);
  });
});

describe('only the token that registered an enforcer can stream or acknowledge as it', () => {
  it('refuses another enforcer token, so no one can make a stop look enforced', async () => {
    const owner = await cp.token('enforcer');
    const intruder = await cp.token('enforcer');
    const registered = await cp.request('/v1/enforcers', {
      token: owner,
      body: { id: 'sdk_owned', name: 'w', kind: 'sdk' },
    });
    assert.equal(registered.status, 201);
    const hijack = await cp.request('/v1/enforcers', {
      token: intruder,
      body: { id: 'sdk_owned', name: 'w', kind: 'sdk' },
    });
    assert.equal(hijack.status, 403);
    const ack = await cp.request('/v1/enforcers/sdk_owned/ack', {
      token: intruder,
      body: { version: 999, inFlight: 0 },
    });
    assert.equal(ack.status, 404);
    const batch = await cp.request('/v1/enforcers/acks', {
      token: intruder,
      body: { acks: [{ id: 'sdk_owned', version: 999 }] },
    });
    assert.deepEqual(batch.body.unknown, ['sdk_owned']);
    const stream = await fetch(`${cp.url}/v1/stream?enforcer=sdk_owned`, {
      headers: { authorization: `Bearer ${intruder}` },
    });
    assert.equal(stream.status, 404);
    await stream.body?.cancel();
    const listed = await cp.request('/v1/enforcers');
    assert.equal(listed.body.enforcers.find((record: any) => record.id === 'sdk_owned').version, 0);
  });
});
