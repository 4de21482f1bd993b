// Real parts for the MCP gateway's tests: a control plane, a guard, the gateway behind a plain
// node:http server, and SDK clients talking to it.
import { spawn } from 'node:child_process';
import { hash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createMemoryStore } from '@estop/core';
import { createGuard, type Guard } from '@estop/sdk';
import { createControlPlane, type ControlPlane } from '@estop/server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  createIdentityResolver,
  createInFlightCalls,
  createMcpGateway,
  type GatewayConfig,
  GatewayFileSchema,
  type McpGateway,
  type McpLogger,
  type TrackedInFlightCalls,
} from '@estop/gateway';

const ADMIN_TOKEN = 'estop_mcp-test-admin-token';
/** The repository root, where `--import tsx` resolves. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/mcp-test-server.ts', import.meta.url));
const HTTP_FIXTURE = fileURLToPath(new URL('./fixtures/mcp-test-http-server.ts', import.meta.url));
const EVERYTHING = join(REPOSITORY_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

/** The project's own test upstream, launched over stdio, recording its effects to `recordPath`. */
export function testUpstream(recordPath: string) {
  return {
    command: process.execPath,
    args: ['--conditions=source', '--import', 'tsx', FIXTURE],
    env: { MCP_TEST_RECORD: recordPath },
    cwd: REPOSITORY_ROOT,
    tools: {},
  };
}

/** `@modelcontextprotocol/server-everything`, launched over stdio. */
export function everythingUpstream() {
  return { command: process.execPath, args: [EVERYTHING, 'stdio'], env: {}, tools: {} };
}

/** A control plane on a free port with an admin token. */
export interface TestPlane {
  url: string;
  plane: ControlPlane;
  /** POSTs (or GETs) to the API as admin; returns the parsed body, throwing on an error status. */
  api(path: string, body?: unknown): Promise<any>;
  token(role: string, tenant?: string): Promise<string>;
}

export async function startPlane(): Promise<TestPlane> {
  const store = createMemoryStore({ sha256: (text) => hash('sha256', text, 'hex') });
  const plane = await createControlPlane({ adminToken: ADMIN_TOKEN, store, restore: { secondApprover: [] } });
  const url = await plane.listen({ port: 0 });
  const api = async (path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = await response.json();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };
  let counter = 0;
  return {
    url,
    plane,
    api,
    async token(role, tenant) {
      counter += 1;
      const created = await api('/v1/tokens', { name: `${role}-${counter}`, role, tenant });
      return created.token as string;
    },
  };
}

/** A gateway enforcer's guard on the plane, ready. */
export async function startGuard(plane: TestPlane, config?: GatewayConfig): Promise<Guard> {
  const guard = createGuard({
    ...(config === undefined
      ? {}
      : {
          idempotency: {
            windowMs: config.idempotency.window_ms,
            tools: config.idempotency.tools,
            waitMs: config.idempotency.wait_ms,
          },
        }),
    url: plane.url,
    token: await plane.token('enforcer'),
    kind: 'gateway',
    name: 'mcp-test-gateway',
    breakGlass: {},
  });
  await guard.ready();
  return guard;
}

/** A gateway configuration with the given MCP servers. */
export function gatewayConfig(plane: TestPlane, servers: Record<string, unknown>): GatewayConfig {
  return GatewayFileSchema.parse({ control_plane: { url: plane.url }, mcp: { servers }, timeout_ms: 20_000 });
}

/** The MCP gateway behind a plain HTTP server that routes `/mcp/<name>` to it. */
export interface TestGateway {
  url: string;
  gateway: McpGateway;
  guard: Guard;
  inFlight: TrackedInFlightCalls;
  close(): Promise<void>;
}

export async function startGateway(
  plane: TestPlane,
  config: GatewayConfig,
  logger?: McpLogger | undefined,
): Promise<TestGateway> {
  const guard = await startGuard(plane, config);
  const inFlight = createInFlightCalls(guard);
  const identity = createIdentityResolver({ controlPlaneUrl: plane.url, cacheMs: 1000 });
  const gateway = await createMcpGateway({ config, guard, identity, inFlight, logger });
  const server: HttpServer = createServer((request, response) => {
    const match = /^\/mcp\/([^/?]+)/.exec(request.url ?? '');
    if (match === null) {
      response.writeHead(404).end();
      return;
    }
    void gateway.handle(request, response, decodeURIComponent(match[1] as string));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    gateway,
    guard,
    inFlight,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      inFlight.close();
      await guard.close();
    },
  };
}

/** An SDK client connected to `url` with the given headers. */
export async function connectClient(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'estop-test-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** A fresh file path for an upstream's record of effects. */
export function recordFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'estop-mcp-')), 'record.jsonl');
}

/** The upstream's recorded effects so far. */
export function readRecord(path: string): Array<Record<string, unknown>> {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The text of a tool result's first content item. */
export function resultText(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content[0]?.text ?? '';
}

/** Waits until `check` returns a truthy value, polling; fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The project's test upstream served over Streamable HTTP in a child process, recording to `recordPath`. */
export async function startHttpUpstream(
  recordPath: string,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, MCP_TEST_RECORD: recordPath, PORT: String(port) };
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', HTTP_FIXTURE], {
    cwd: REPOSITORY_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /^listening (\S+)/.exec(line);
      if (match !== null) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`upstream exited ${code}`)));
  });
  return {
    url,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
