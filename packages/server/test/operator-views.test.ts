import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import type { AppEnv } from '../src/app-env.js';
import { dashboardRoutes } from '../src/http/dashboard-routes.js';
import { startTestControlPlane, type TestControlPlane } from './harness.js';

let cp: TestControlPlane;
before(async () => {
  cp = await startTestControlPlane({ keepAliveMs: 100 });
});
after(() => cp.close());

/** Reads the response body until `wanted` appears in it, then stops reading. */
async function readUntil(response: Response, wanted: RegExp, controller: AbortController): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!wanted.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  controller.abort();
  return text;
}

describe('GET /v1/events tells operator views what changed', () => {
  it('names the topic of a change, after a first keep-alive', async () => {
    const viewer = await cp.token('viewer');
    const controller = new AbortController();
    const response = await fetch(`${cp.url}/v1/events`, {
      headers: { authorization: `Bearer ${viewer}` },
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const reading = readUntil(response, /event: rules\n/, controller);
    await cp.request('/v1/rules', { body: { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'loop' } });
    const text = await reading;
    assert.match(text, /^event: keep-alive\ndata: \{"at":"[^"]+"\}\n\n/);
    assert.match(text, /event: rules\ndata: \{"at":"[^"]+"\}/);
  });

  it('needs a token', async () => {
    const response = await fetch(`${cp.url}/v1/events`);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
  });
});

describe('the dashboard is served at /', () => {
  let root: string;
  let app: Hono<AppEnv>;
  before(async () => {
    const base = await mkdtemp(join(tmpdir(), 'estop-dashboard-'));
    root = join(base, 'dist');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>estop</title>');
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(base, 'secret.txt'), 'not for the web');
    app = new Hono<AppEnv>();
    dashboardRoutes(app, root);
  });

  it('serves the page on any path without an extension, unframeable and script-locked', async () => {
    for (const path of ['/', '/rules', '/audit']) {
      const response = await app.request(path);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), '<!doctype html><title>estop</title>');
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
      assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'.*frame-ancestors 'none'/);
      assert.equal(response.headers.get('cache-control'), 'no-cache');
    }
  });

  it('serves assets as immutable with their type', async () => {
    const response = await app.request('/assets/app.js');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(response.headers.get('cache-control') ?? '', /immutable/);
  });

  it('never serves a file outside its directory, nor /v1 paths', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/missing.js', '/v1/x']) {
      const response = await app.request(path);
      assert.equal(response.status, 404, path);
    }
  });

  it('says how to build it when it is not built', async () => {
    const bare = new Hono<AppEnv>();
    dashboardRoutes(bare, join(root, 'absent'));
    const response = await bare.request('/');
    assert.equal(response.status, 503);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.match(await response.text(), /npm run build/);
  });
});
