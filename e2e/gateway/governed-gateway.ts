// A gateway with an MCP server and HTTP routes in front of real upstreams, on a real control
// plane on SQLite or PostgreSQL: the parts the governed-write tests of the gateway share.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startGovernedPlane, type GovernedPlane, type StoreKind } from '../sdk/governed-plane.js';
import { createGateway, type Gateway, GatewayFileSchema } from '@estop/gateway';
import { connectClient, readRecord, recordFile, testUpstream } from './mcp-harness.js';

/** An HTTP upstream that counts the writes it receives; `?fail=1` answers 503. */
export interface CountingUpstream {
  url: string;
  bodies: string[];
  close(): Promise<void>;
}

async function startCountingUpstream(): Promise<CountingUpstream> {
  const bodies: string[] = [];
  let failures = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if ((request.url ?? '').includes('fail=1') && failures === 0) {
        failures++;
        response.writeHead(503, { 'content-type': 'text/plain' }).end('try later');
        return;
      }
      bodies.push(body);
      response
        .writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'counting' })
        .end(JSON.stringify({ number: bodies.length, body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The gateway, its control plane, its upstreams, and an agent's ways in. */
export interface GovernedGateway {
  cp: GovernedPlane;
  gateway: Gateway;
  url: string;
  upstream: CountingUpstream;
  /** Emails the MCP upstream sent to `to`. */
  sentTo(to: string): number;
  /** An MCP client for tenant acme's agent. */
  client(): Promise<Client>;
  /** Sends an HTTP tool call as acme's agent. */
  call(route: string, body: string, headers?: Record<string, string>, signal?: AbortSignal): Promise<Response>;
  /** Creates a rule and waits until the gateway has applied it. */
  rule(input: Record<string, unknown>): Promise<{ id: string }>;
  close(): Promise<void>;
}

/** Starts everything, or resolves undefined when the store is PostgreSQL and it is missing (outside CI). */
export async function startGovernedGateway(
  kind: StoreKind,
  context: TestContext,
): Promise<GovernedGateway | undefined> {
  const cp = await startGovernedPlane(kind, context);
  if (cp === undefined) return undefined;
  const upstream = await startCountingUpstream();
  const record = recordFile();
  const config = GatewayFileSchema.parse({
    control_plane: { url: cp.url },
    listen: { host: '127.0.0.1', port: 0 },
    identity: { cache_ms: 0 },
    mcp: { servers: { mail: testUpstream(record) } },
    http: {
      routes: {
        'orders.create': { method: 'POST', upstream: `${upstream.url}/orders`, effect: 'write' },
        'orders.cancel': { method: 'POST', upstream: `${upstream.url}/orders/cancel`, effect: 'write' },
      },
    },
  });
  const gateway = createGateway({ config, token: await cp.token('enforcer', 'gateway') });
  const url = await gateway.listen();
  await gateway.guard.ready();
  const agentToken = await cp.token('agent', 'acme-bot', 'acme');
  const clients: Client[] = [];
  return {
    cp,
    gateway,
    url,
    upstream,
    sentTo: (to) => readRecord(record).filter((entry) => entry['tool'] === 'send_email' && entry['to'] === to).length,
    async client() {
      const client = await connectClient(`${url}/mcp/mail`, { authorization: `Bearer ${agentToken}` });
      clients.push(client);
      return client;
    },
    call: (route, body, headers = {}, signal) =>
      fetch(`${url}/tools/${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json', ...headers },
        body,
        signal,
      }),
    async rule(input) {
      const rule = await cp.rule(input);
      const deadline = Date.now() + 15_000;
      while (gateway.guard.version < rule.version) {
        if (Date.now() > deadline) throw new Error(`the gateway did not apply version ${rule.version}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return rule;
    },
    async close() {
      for (const client of clients) await client.close().catch(() => undefined);
      await gateway.close();
      await upstream.close();
      await cp.close();
    },
  };
}

/** Runs `body` against a governed gateway on `kind`, closing it after; does nothing when skipped. */
export async function withGateway(
  kind: StoreKind,
  context: TestContext,
  body: (setup: GovernedGateway) => Promise<void>,
): Promise<void> {
  const setup = await startGovernedGateway(kind, context);
  if (setup === undefined) return;
  try {
    await body(setup);
  } finally {
    await setup.close();
  }
}
