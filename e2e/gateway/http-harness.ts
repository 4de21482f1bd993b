import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryStore } from '@estop/core';
import { createControlPlane, type ControlPlane } from '@estop/server';
import { createGateway, type Gateway, type GatewayConfig, GatewayFileSchema } from '@estop/gateway';

export const ADMIN_TOKEN = 'estop_gateway-test-admin';

/** A control plane on a free port with an in-memory store. */
export interface TestPlane {
  url: string;
  plane: ControlPlane;
  api(path: string, body?: unknown, method?: string): Promise<{ status: number; body: any }>;
  /** Creates a token and returns its secret. */
  token(role: string, name: string, tenant?: string): Promise<string>;
  /** Posts a rule and returns its id and the version it made. */
  rule(input: Record<string, unknown>): Promise<{ id: string; version: number }>;
  close(): Promise<void>;
}

export async function startPlane(): Promise<TestPlane> {
  const store = createMemoryStore({ sha256: (text: string) => createHash('sha256').update(text).digest('hex') });
  const plane = await createControlPlane({
    store,
    adminToken: ADMIN_TOKEN,
    keepAliveMs: 1000,
    restore: { secondApprover: [] },
  });
  const url = await plane.listen({ port: 0 });
  const api: TestPlane['api'] = async (path, body, method) => {
    const response = await fetch(`${url}${path}`, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  return {
    url,
    plane,
    api,
    async token(role, name, tenant) {
      const response = await api('/v1/tokens', { role, name, tenant });
      if (response.status !== 201) throw new Error(`token creation failed: ${JSON.stringify(response.body)}`);
      return response.body.token as string;
    },
    async rule(input) {
      const response = await api('/v1/rules', input);
      if (response.status !== 201) throw new Error(`rule creation failed: ${JSON.stringify(response.body)}`);
      return { id: response.body.rule.id as string, version: response.body.version as number };
    },
    close: () => plane.close(),
  };
}

/** What the test upstream saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bytes: number;
  /** True once the connection closed before the upstream answered. */
  abandoned: boolean;
}

/**
 * A real HTTP upstream: `/echo` answers with what it received, `/slow` answers only when
 * released (or never), `/large?bytes=N` streams N bytes, `/upload` counts the bytes it is sent.
 */
export interface TestUpstream {
  url: string;
  seen: SeenRequest[];
  /** Requests that arrived, by their `x-test-tenant` header. */
  arrivals: Map<string, number>;
  /** Answers every request waiting on `/slow`. */
  releaseSlow(): void;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<TestUpstream> {
  const seen: SeenRequest[] = [];
  const arrivals = new Map<string, number>();
  const waiting = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    const tenant = request.headers['x-test-tenant'];
    if (typeof tenant === 'string') {
      arrivals.set(tenant, (arrivals.get(tenant) ?? 0) + 1);
      request.resume();
      request.on('end', () => response.end('{"sent":true}'));
      return;
    }
    const entry: SeenRequest = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      bytes: 0,
      abandoned: false,
    };
    seen.push(entry);
    request.on('data', (chunk: Buffer) => {
      entry.bytes += chunk.length;
    });
    const path = (request.url ?? '').split('?')[0];
    if (path === '/slow') {
      const answer = (): void => {
        response.end('finally');
      };
      waiting.add(answer);
      response.on('close', () => {
        waiting.delete(answer);
        if (!response.writableFinished) entry.abandoned = true;
      });
      request.resume();
      return;
    }
    if (path === '/broken') {
      request.resume();
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
      response.write('only the start', () => response.destroy());
      return;
    }
    if (path === '/large') {
      const total = Number(new URL(request.url ?? '', 'http://x').searchParams.get('bytes') ?? '0');
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 97);
      let sent = 0;
      const write = (): void => {
        while (sent < total) {
          const part = Math.min(chunk.length, total - sent);
          sent += part;
          if (!response.write(part === chunk.length ? chunk : chunk.subarray(0, part))) {
            response.once('drain', write);
            return;
          }
        }
        response.end();
      };
      request.resume();
      request.on('end', write);
      return;
    }
    request.on('end', () => {
      const body = JSON.stringify({ method: entry.method, url: entry.url, headers: entry.headers, bytes: entry.bytes });
      response.writeHead(200, {
        'content-type': 'application/json',
        connection: 'keep-alive, x-upstream-private',
        'x-upstream-private': 'connection-only',
        'keep-alive': 'timeout=5',
        'x-upstream-public': 'kept',
      });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    arrivals,
    releaseSlow() {
      for (const answer of [...waiting]) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Builds a gateway config for the control plane and upstream, with the test's routes. */
export function gatewayConfig(
  planeUrl: string,
  upstreamUrl: string,
  extra: Record<string, unknown> = {},
): GatewayConfig {
  return GatewayFileSchema.parse({
    control_plane: { url: planeUrl },
    listen: { host: '127.0.0.1', port: 0 },
    identity: { cache_ms: 0 },
    http: {
      routes: {
        'search.read': { method: 'GET', upstream: `${upstreamUrl}/echo?source=gateway` },
        'email.send': {
          method: 'POST',
          upstream: `${upstreamUrl}/echo`,
          effect: 'write',
          headers: { Authorization: 'Bearer upstream-secret' },
        },
        'files.upload': { method: 'PUT', upstream: `${upstreamUrl}/upload` },
        'files.download': { method: 'GET', upstream: `${upstreamUrl}/large` },
        'slow.write': { method: 'POST', upstream: `${upstreamUrl}/slow`, timeout_ms: 60_000 },
        'slow.read': { method: 'GET', upstream: `${upstreamUrl}/slow`, timeout_ms: 200 },
        'down.read': { method: 'GET', upstream: 'http://127.0.0.1:1/nothing' },
        'broken.read': { method: 'GET', upstream: `${upstreamUrl}/broken` },
      },
    },
    // These tests repeat identical writes on purpose; deduping has tests of its own (governed-http).
    idempotency: { tools: { '*': false } },
    ...extra,
  });
}

/** A control plane, an upstream and a gateway with an enforcer token, all running. */
export interface TestSetup {
  plane: TestPlane;
  upstream: TestUpstream;
  gateway: Gateway;
  url: string;
  close(): Promise<void>;
}

export async function startSetup(): Promise<TestSetup> {
  const plane = await startPlane();
  const upstream = await startUpstream();
  const enforcerToken = await plane.token('enforcer', 'gateway');
  const gateway = createGateway({ config: gatewayConfig(plane.url, upstream.url), token: enforcerToken });
  const url = await gateway.listen();
  await gateway.guard.ready();
  return {
    plane,
    upstream,
    gateway,
    url,
    async close() {
      await gateway.close();
      await upstream.close();
      await plane.close();
    },
  };
}

/** Waits until `check` returns a truthy value, polling; fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A raw HTTP request (node:http, so any header can be sent), with the whole answer. */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer; json: any }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          const type = response.headers['content-type'] ?? '';
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            json: type.includes('json') && body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined,
          });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}
