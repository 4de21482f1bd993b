import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { EstopError } from '@estop/core';
import type { Api } from '../src/api/client.js';
import { LiveConnection } from '../src/api/live.js';
import { eventually } from './eventually.js';

interface OpenStream {
  path: string;
  send(event: string, data: unknown): void;
  end(): void;
  aborted: boolean;
}

/** An Api whose streams the test writes to, one per `open`. */
function fakeApi(refuse?: number) {
  const opened: OpenStream[] = [];
  const api: Api = {
    token: 'estop_test',
    get: () => Promise.reject(new Error('not used')),
    post: () => Promise.reject(new Error('not used')),
    async open(path, signal) {
      if (refuse !== undefined) {
        throw new EstopError({ code: 'unauthorized', message: 'unknown token', details: { status: refuse } });
      }
      let control!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (controller) => void (control = controller) });
      const stream: OpenStream = {
        path,
        aborted: false,
        send: (event, data) =>
          control.enqueue(new TextEncoder().encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)),
        end: () => control.close(),
      };
      signal.addEventListener('abort', () => {
        stream.aborted = true;
        control.error(new Error('aborted'));
      });
      opened.push(stream);
      return new Response(body);
    },
  };
  const latest = (path: string) => [...opened].reverse().find((stream) => stream.path === path);
  return { api, opened, latest };
}

const rule = (id: string) => ({
  id,
  scope: { tenant: 'acme' },
  mode: 'read_only',
  reason: 'r',
  actor: { id: 'ops', kind: 'human' },
  createdAt: '2026-11-22T00:00:00.000Z',
  cancelInFlight: false,
});

describe('the live connection is current only while both streams are', () => {
  let live: LiveConnection | undefined;
  afterEach(() => live?.close());

  async function connected() {
    const fake = fakeApi();
    live = new LiveConnection(fake.api, { retryMs: 1 });
    const topics: string[] = [];
    live.onTopic((topic) => topics.push(topic));
    live.start();
    await eventually(() => fake.latest('/v1/stream') && fake.latest('/v1/events'), 'both streams opened');
    fake.latest('/v1/stream')?.send('snapshot', { version: 4, rules: [rule('r_1')], tools: {} });
    assert.equal(live.getState().status, 'connecting', 'one stream is not enough');
    fake.latest('/v1/events')?.send('keep-alive', { at: 'now' });
    await eventually(() => live?.getState().status === 'live', 'live');
    return { fake, live, topics };
  }

  it('applies changes version by version and announces every topic on connecting', async () => {
    const { fake, live, topics } = await connected();
    assert.ok(topics.includes('rules') && topics.includes('audit') && topics.includes('approvals'));
    fake.latest('/v1/stream')?.send('change', {
      version: 5,
      at: 'now',
      changes: [
        { type: 'rule-created', rule: rule('r_2') },
        { type: 'rule-lifted', lift: { ruleId: 'r_1' } },
      ],
    });
    await eventually(() => live.getState().snapshot?.version === 5, 'version 5 applied');
    assert.deepEqual(
      live.getState().snapshot?.rules.map((item) => item.id),
      ['r_2'],
    );
    fake.latest('/v1/events')?.send('runs', { at: 'now' });
    await eventually(() => topics.at(-1) === 'runs', 'the runs topic is passed on');
  });

  it('a stream that ends marks the state lost (keeping what it knew), then live again on reconnecting', async () => {
    const { fake, live } = await connected();
    fake.latest('/v1/events')?.end();
    await eventually(() => live.getState().status === 'lost', 'lost');
    assert.equal(typeof live.getState().lostSince, 'number');
    assert.equal(live.getState().snapshot?.version, 4, 'the last state is kept, marked not current');
    await eventually(() => fake.opened.filter((stream) => stream.path === '/v1/events').length === 2, 'reopened');
    fake.latest('/v1/events')?.send('keep-alive', { at: 'now' });
    await eventually(() => live.getState().status === 'live', 'live again');
  });

  it('a gap in versions reopens the state stream for a fresh snapshot', async () => {
    const { fake } = await connected();
    const first = fake.latest('/v1/stream');
    first?.send('change', { version: 7, at: 'now', changes: [] });
    await eventually(() => first?.aborted, 'the gapped stream is dropped');
    await eventually(() => fake.opened.filter((stream) => stream.path === '/v1/stream').length === 2, 'reopened');
  });

  it('a stream that falls silent past the staleness bound is dropped and marks the state lost', async () => {
    const fake = fakeApi();
    live = new LiveConnection(fake.api, { retryMs: 1, staleAfterMs: 100 });
    live.start();
    await eventually(() => fake.latest('/v1/stream') && fake.latest('/v1/events'), 'both streams opened');
    fake.latest('/v1/stream')?.send('snapshot', { version: 1, rules: [], tools: {} });
    fake.latest('/v1/events')?.send('keep-alive', { at: 'now' });
    await eventually(() => live?.getState().status === 'live', 'live');
    const silent = fake.latest('/v1/events');
    await eventually(() => silent?.aborted, 'the silent stream is dropped');
    await eventually(() => live?.getState().status === 'lost', 'lost');
    assert.match(live.getState().problem ?? '', /silent/);
  });

  it('a refused token is reported as signed out, not retried', async () => {
    const fake = fakeApi(401);
    live = new LiveConnection(fake.api, { retryMs: 1 });
    live.start();
    await eventually(() => live?.getState().unauthorized, 'unauthorized');
  });
});
