import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore, type EstopError, type Store } from '@estop/core';
import { createControlPlane, type ControlPlane } from '@estop/server';
import { createGuard } from '@estop/sdk';

const ADMIN_TOKEN = 'estop_guard-departure-admin';

let store: Store;
let plane: ControlPlane;
let url: string;
let token: string;

/** Polls `condition` until it holds, failing with `what` after a generous deadline. */
async function waitFor(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function listed(): Promise<{ id: string; connected: boolean }[]> {
  const response = await fetch(`${url}/v1/enforcers?limit=1000`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { enforcers: { id: string; connected: boolean }[] }).enforcers;
}

before(async () => {
  store = createMemoryStore({ sha256: (text) => createHash('sha256').update(text).digest('hex') });
  plane = await createControlPlane({ store, adminToken: ADMIN_TOKEN });
  url = await plane.listen({ port: 0 });
  const created = await fetch(`${url}/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'enforcer', name: 'departing-workers' }),
  });
  token = ((await created.json()) as { token: string }).token;
});
after(() => plane.close());

describe('guard.close() deregisters: the control plane lists the guard no more at once', () => {
  it('leaves the list and the store as close() resolves, with no error', async () => {
    const errors: EstopError[] = [];
    const guard = createGuard({ url, token, name: 'leaving-worker', breakGlass: {}, onError: (e) => errors.push(e) });
    const staying = createGuard({ url, token, name: 'staying-worker', breakGlass: {}, onError: () => {} });
    await Promise.all([guard.ready(), staying.ready()]);
    await waitFor('both guards to be listed as connected', async () => {
      const records = await listed();
      return [guard.id, staying.id].every((id) => records.some((record) => record.id === id && record.connected));
    });
    await waitFor('the guard to be saved in the store', async () =>
      (await store.enforcers.list()).some((record) => record.id === guard.id),
    );

    await guard.close();
    const records = await listed();
    assert.equal(
      records.some((record) => record.id === guard.id),
      false,
    );
    assert.equal(
      records.some((record) => record.id === staying.id),
      true,
    );
    assert.equal(
      (await store.enforcers.list()).some((record) => record.id === guard.id),
      false,
    );
    assert.deepEqual(errors, []);
    await staying.close();
    assert.equal(
      (await listed()).some((record) => record.id === staying.id),
      false,
    );
  });

  it('a guard that never reached the control plane closes without trying to deregister', async () => {
    const errors: EstopError[] = [];
    const guard = createGuard({ url: 'http://127.0.0.1:9', token, breakGlass: {}, onError: (e) => errors.push(e) });
    await guard.close();
    assert.equal(
      errors.some((error) => /deregister/.test(error.message)),
      false,
    );
  });
});

describe('close() does not hang when the control plane does not answer the deregistration', () => {
  let proxy: http.Server;
  let proxyUrl: string;
  const held: ServerResponse[] = [];

  before(async () => {
    // In front of the control plane: passes every request through but never answers a DELETE.
    proxy = http.createServer((request, response) => {
      if (request.method === 'DELETE') {
        held.push(response);
        return;
      }
      const upstream = http.request(
        new URL(request.url ?? '/', url),
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => response.destroy());
      response.on('close', () => upstream.destroy());
      request.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const response of held) response.destroy();
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  it('gives up after its short timeout, tells onError, and the guard is forgotten later instead', async () => {
    const errors: EstopError[] = [];
    const guard = createGuard({ url: proxyUrl, token, breakGlass: {}, onError: (e) => errors.push(e) });
    await guard.ready();
    await guard.close();
    assert.equal(held.length, 1, 'the deregistration reached the control plane side');
    const failure = errors.find((error) => /deregister/.test(error.message));
    assert.equal(failure?.code, 'timeout');
    assert.match(failure?.message ?? '', /forget_after/);
    // Still listed, as gone: enforcers.forget_after takes it from there.
    await waitFor('the guard to be listed as gone', async () =>
      (await listed()).some((record) => record.id === guard.id && !record.connected),
    );
  });
});
