import assert from 'node:assert/strict';
import { readEventStream } from '@estop/client';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestControlPlane, type TestControlPlane } from './harness.js';
import type { StreamFrame } from './state-stream-reader.js';

let cp: TestControlPlane;
before(async () => {
  cp = await startTestControlPlane({ keepAliveMs: 100 });
});
after(() => cp.close());

let counter = 0;
const unique = (prefix: string) => `${prefix}-${(counter += 1)}`;

/** `POST /v1/enforcers/:id/stream` with `body`; on a stream, its events as they come. */
async function connect(
  token: string,
  id: string,
  body: unknown,
  lastEventId?: string,
): Promise<{ status: number; type: string; problem?: any; frames: StreamFrame[]; close(): void }> {
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const response = await fetch(`${cp.url}/v1/enforcers/${encodeURIComponent(id)}/stream`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const type = response.headers.get('content-type') ?? '';
  const frames: StreamFrame[] = [];
  if (!type.startsWith('text/event-stream')) {
    return { status: response.status, type, problem: await response.json(), frames, close: () => {} };
  }
  readEventStream(response.body as ReadableStream<Uint8Array>, (event) =>
    frames.push({ type: event.type, id: event.id, data: JSON.parse(event.data) }),
  ).catch(() => {
    // Aborted by close().
  });
  return { status: response.status, type, frames, close: () => controller.abort() };
}

describe('an enforcer registers and opens its stream in one request', () => {
  it('registers the enforcer, answers its stream with a snapshot and counts it connected', async () => {
    const token = await cp.token('enforcer');
    const id = unique('sdk_connect');
    const stream = await connect(token, id, { id, name: 'worker', kind: 'sdk', host: 'host-1', pid: 42 });
    try {
      assert.equal(stream.status, 200);
      const snapshot = await eventually(() => stream.frames.find((frame) => frame.type === 'snapshot'));
      const listed = await cp.request('/v1/enforcers');
      const record = listed.body.enforcers.find((enforcer: { id: string }) => enforcer.id === id);
      assert.equal(record?.name, 'worker');
      assert.equal(record?.host, 'host-1');
      assert.equal(record?.connected, true);
      // What it applies is acknowledged as after POST /v1/enforcers.
      const ack = await cp.request(`/v1/enforcers/${id}/ack`, { token, body: { version: snapshot.data.version } });
      assert.equal(ack.status, 204);
      const rule = await cp.request('/v1/rules', {
        body: { scope: { tenant: unique('t') }, mode: 'read_only', reason: 'connect' },
      });
      await eventually(() =>
        stream.frames.some((frame) => frame.type === 'change' && frame.id === String(rule.body.version)),
      );
    } finally {
      stream.close();
    }
    await eventually(async () => {
      const listed = await cp.request('/v1/enforcers');
      return listed.body.enforcers.find((enforcer: { id: string }) => enforcer.id === id)?.connected === false;
    });
  });

  it('resumes from the version the enforcer holds (Last-Event-ID) with the changes it missed', async () => {
    const token = await cp.token('enforcer');
    const id = unique('sdk_resume');
    const held = (await cp.request('/v1/state', { token })).body.version as number;
    const missed = await cp.request('/v1/rules', {
      body: { scope: { tenant: unique('t') }, mode: 'read_only', reason: 'missed' },
    });
    const stream = await connect(token, id, { id, name: 'worker', kind: 'sdk' }, String(held));
    try {
      await eventually(() => stream.frames.some((frame) => frame.type === 'keepalive'));
      assert.deepEqual(
        stream.frames.slice(0, 2).map((frame) => [frame.type, frame.id]),
        [
          ['resume', String(held)],
          ['change', String(missed.body.version)],
        ],
      );
    } finally {
      stream.close();
    }
  });

  it('refuses a body that is not a registration, or that names another enforcer than the path, as a problem', async () => {
    const token = await cp.token('enforcer');
    const id = unique('sdk_bad');
    for (const body of [
      { id, name: 'worker' },
      { id, name: 'worker', kind: 'robot' },
      { id: 'other', name: 'w', kind: 'sdk' },
    ]) {
      const answer = await connect(token, id, body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.type, 'application/problem+json');
      assert.equal(answer.problem.code, 'invalid_request');
    }
    const listed = await cp.request('/v1/enforcers');
    assert.ok(!listed.body.enforcers.some((enforcer: { id: string }) => enforcer.id === id));
  });

  it('refuses a token without the enforcer role, and another token than the one that registered the enforcer here', async () => {
    const id = unique('sdk_owned');
    const viewer = await cp.token('viewer');
    const refused = await connect(viewer, id, { id, name: 'worker', kind: 'sdk' });
    assert.equal(refused.status, 403);
    assert.equal(refused.type, 'application/problem+json');

    const owner = await cp.token('enforcer');
    const stream = await connect(owner, id, { id, name: 'worker', kind: 'sdk' });
    try {
      assert.equal(stream.status, 200);
      const other = await cp.token('enforcer');
      const taken = await connect(other, id, { id, name: 'worker', kind: 'sdk' });
      assert.equal(taken.status, 403);
      assert.equal(taken.problem.code, 'forbidden');
    } finally {
      stream.close();
    }
  });
});
