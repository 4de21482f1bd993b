// kill -9 of the control plane, or of a gateway, while writes go through the gateway with
// deduplication on (its default): no write completed before the kill is run again, and none
// runs twice.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createGateway, GatewayFileSchema, type Gateway } from '@estop/gateway';
import { startServerProcess } from '../../packages/cli/test/processes.js';

const LOOPS = 16;

async function countingUpstream(): Promise<{ url: string; runs: Map<string, number>; close(): Promise<void> }> {
  const runs = new Map<string, number>();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      runs.set(body, (runs.get(body) ?? 0) + 1);
      response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ran: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    runs,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function api(url: string, token: string, path: string, body: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.ok(response.ok, `${path}: ${response.status}`);
  return response.json();
}

async function startGateway(
  controlPlane: string,
  upstream: string,
  token: string,
): Promise<{ gateway: Gateway; url: string }> {
  const config = GatewayFileSchema.parse({
    control_plane: { url: controlPlane },
    listen: { host: '127.0.0.1', port: 0 },
    identity: { cache_ms: 0 },
    // A repeat of a write whose completion was lost waits briefly, then is refused: never run.
    idempotency: { wait_ms: 300 },
    http: { routes: { 'email.send': { method: 'POST', upstream: `${upstream}/send` } } },
  });
  const gateway = createGateway({ config, token });
  const url = await gateway.listen();
  await gateway.guard.ready();
  return { gateway, url };
}

describe('deduplication across kill -9 of the control plane', () => {
  it('keeps every completed key, and runs no write twice', async () => {
    const first = await startServerProcess();
    const upstream = await countingUpstream();
    const enforcer = (await api(first.url, first.adminToken, '/v1/tokens', { name: 'gw', role: 'enforcer' })).token;
    const agent = (
      await api(first.url, first.adminToken, '/v1/tokens', { name: 'mailer', role: 'agent', tenant: 'acme' })
    ).token;
    const before = await startGateway(first.url, upstream.url, enforcer);
    const send = (gateway: string, body: string) =>
      fetch(`${gateway}/tools/email.send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
        body,
      });
    const answered = new Map<string, string>();
    const attempted: string[] = [];
    let next = 0;
    let killed = false;
    const loop = async (): Promise<void> => {
      while (!killed) {
        const body = JSON.stringify({ to: 'someone@example.com', n: next++ });
        attempted.push(body);
        const response = await send(before.url, body).catch(() => undefined);
        if (response === undefined) continue;
        const text = await response.text();
        if (response.status === 201) answered.set(body, text);
      }
    };
    const load = Promise.all(Array.from({ length: LOOPS }, loop));
    // Killed while writes are claiming and completing their keys.
    while (answered.size < 300) await new Promise((resolve) => setTimeout(resolve, 10));
    await first.stop('SIGKILL');
    killed = true;
    await load;
    await before.gateway.close();
    assert.ok(answered.size >= 300, 'writes were answered before the kill');

    const second = await startServerProcess({ data: first.data, adminToken: first.adminToken });
    const after = await startGateway(second.url, upstream.url, enforcer);
    try {
      // The last answers before the kill may have come while their completion was cut off: the
      // write ran and its answer went out, but its key stayed held, so a repeat is refused
      // (409), never run. Every write answered earlier than those was completed durably.
      const cutOff = new Set([...answered.keys()].slice(-2 * LOOPS));
      for (const body of attempted) {
        const response = await send(after.url, body);
        const text = await response.text();
        const earlier = answered.get(body);
        if (earlier !== undefined && !cutOff.has(body)) {
          // Its key and result survived the kill.
          assert.equal(response.status, 201, `${body}: ${text}`);
          assert.equal(response.headers.get('x-estop-replayed'), 'true', `${body} was run again`);
          assert.equal(text, earlier);
        } else {
          // Run now if it never ran; refused while its key is held by a write that did.
          assert.ok(response.status === 201 || response.status === 409, `${body}: ${response.status} ${text}`);
          if (response.status === 201 && response.headers.get('x-estop-replayed') === 'true') {
            assert.equal(text, earlier ?? text);
          }
        }
      }
      const twice = [...upstream.runs].filter(([, count]) => count > 1);
      assert.deepEqual(twice, [], 'no write ran twice');
      for (const body of answered.keys()) assert.equal(upstream.runs.get(body), 1);
    } finally {
      await after.gateway.close();
      await second.stop();
      await upstream.close();
    }
  });
});

const CLI = join(fileURLToPath(new URL('../..', import.meta.url)), 'packages/cli/src/bin.ts');

/** `estop gateway` in a process of its own; resolves with its URL once it serves. */
async function gatewayProcess(config: string, token: string): Promise<{ child: ChildProcess; url: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ESTOP_TOKEN: token };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', CLI, 'gateway', '--config', config],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /^estop gateway on (\S+)$/.exec(line);
      if (match !== null) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`estop gateway exited with ${code}`)));
  });
  return { child, url };
}

describe('deduplication across kill -9 of a gateway', () => {
  it('a write cut off with its gateway is never run again by another; completed ones are replayed', async () => {
    const plane = await startServerProcess();
    const upstream = await countingUpstream();
    const enforcer = (await api(plane.url, plane.adminToken, '/v1/tokens', { name: 'gw', role: 'enforcer' })).token;
    const agent = (
      await api(plane.url, plane.adminToken, '/v1/tokens', { name: 'mailer', role: 'agent', tenant: 'acme' })
    ).token;
    const config = join(await mkdtemp(join(tmpdir(), 'estop-gw-kill-')), 'gateway.yaml');
    await writeFile(
      config,
      [
        `control_plane: {url: '${plane.url}'}`,
        'listen: {host: 127.0.0.1, port: 0}',
        'idempotency: {wait_ms: 300}',
        `http: {routes: {email.send: {method: POST, upstream: '${upstream.url}/send'}}}`,
      ].join('\n'),
    );
    const doomed = await gatewayProcess(config, enforcer);
    const send = (gateway: string, body: string) =>
      fetch(`${gateway}/tools/email.send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
        body,
      });
    const answered = new Map<string, string>();
    const attempted: string[] = [];
    let next = 0;
    let killed = false;
    const loop = async (): Promise<void> => {
      while (!killed) {
        const body = JSON.stringify({ to: 'someone@example.com', n: next++ });
        attempted.push(body);
        const response = await send(doomed.url, body).catch(() => undefined);
        if (response?.status === 201) answered.set(body, await response.text());
      }
    };
    const load = Promise.all(Array.from({ length: LOOPS }, loop));
    while (answered.size < 200) await new Promise((resolve) => setTimeout(resolve, 10));
    doomed.child.kill('SIGKILL');
    killed = true;
    await load;

    const survivor = await startGateway(plane.url, upstream.url, enforcer);
    try {
      // A gateway answers once the write ran and completes its key just after: the last answers
      // before the kill may have lost their completion with it, so their key stays held and a
      // repeat is refused (409), never run. Every write answered earlier was completed.
      const cutOff = new Set([...answered.keys()].slice(-2 * LOOPS));
      for (const body of attempted) {
        const response = await send(survivor.url, body);
        const text = await response.text();
        const earlier = answered.get(body);
        if (earlier !== undefined && !cutOff.has(body)) {
          // Its key was completed with the first result: replayed, not run again.
          assert.equal(response.status, 201, `${body}: ${text}`);
          assert.equal(response.headers.get('x-estop-replayed'), 'true', `${body} was run again`);
          assert.equal(text, earlier);
        } else {
          assert.ok(response.status === 201 || response.status === 409, `${body}: ${response.status} ${text}`);
        }
      }
      assert.deepEqual(
        [...upstream.runs].filter(([, count]) => count > 1),
        [],
        'no write ran twice',
      );
    } finally {
      await survivor.gateway.close();
      await plane.stop();
      await upstream.close();
    }
  });
});
