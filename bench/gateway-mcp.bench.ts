// MCP gateway overhead: the same upstream (the gateway tests' server over Streamable HTTP, in its
// own process) called with sequential tools/call from the SDK's Client, directly and through the
// gateway (Client → /mcp/bench → upstream), alternating call by call after a warm-up. The gateway, its
// guard and a control plane run in this process. Added latency is via-gateway minus direct at the
// same percentile.
import { spawn } from 'node:child_process';
import { hash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createMemoryStore } from '@estop/core';
import { createIdentityResolver, createInFlightCalls, createMcpGateway, GatewayFileSchema } from '@estop/gateway';
import { createGuard } from '@estop/sdk';
import { createControlPlane } from '@estop/server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { atMost, percentile } from './stats.js';

const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 1000);
const CALLS = Number(process.env.BENCH_CALLS ?? 5000);
const ADMIN = 'estop_bench-admin';
const root = fileURLToPath(new URL('..', import.meta.url));
const upstreamScript = fileURLToPath(
  new URL('../packages/gateway/test/fixtures/mcp-test-http-server.ts', import.meta.url),
);

async function startUpstream() {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', upstreamScript], {
    cwd: root,
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
  return { url, child };
}

async function connect(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'estop-bench-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** One call's latency in microseconds. */
async function timeCall(client: Client): Promise<number> {
  const before = performance.now();
  await client.callTool({ name: 'lookup', arguments: { query: 'bench' } });
  return (performance.now() - before) * 1000;
}

export async function run(): Promise<Record<string, unknown>> {
  const upstream = await startUpstream();
  const plane = await createControlPlane({
    adminToken: ADMIN,
    store: createMemoryStore({ sha256: (text) => hash('sha256', text, 'hex') }),
  });
  const planeUrl = await plane.listen({ port: 0 });
  const token = async (role: string, tenant?: string): Promise<string> => {
    const response = await fetch(`${planeUrl}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `bench-${role}`, role, tenant }),
    });
    return ((await response.json()) as { token: string }).token;
  };

  const guard = createGuard({
    url: planeUrl,
    token: await token('enforcer'),
    kind: 'gateway',
    name: 'bench-gateway',
    breakGlass: {},
  });
  await guard.ready();
  const inFlight = createInFlightCalls(guard);
  const config = GatewayFileSchema.parse({
    control_plane: { url: planeUrl },
    mcp: { servers: { bench: { url: upstream.url } } },
  });
  const gateway = await createMcpGateway({
    config,
    guard,
    identity: createIdentityResolver({ controlPlaneUrl: planeUrl }),
    inFlight,
  });
  const server = createServer((request, response) => void gateway.handle(request, response, 'bench'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp/bench`;

  const direct = await connect(upstream.url, {});
  const via = await connect(gatewayUrl, { authorization: `Bearer ${await token('agent', 'bench-tenant')}` });

  for (let index = 0; index < WARM_UP; index++) {
    await timeCall(direct);
    await timeCall(via);
  }
  // Direct and via-gateway calls alternate, so both see the same machine at the same moment.
  const directSamples: number[] = [];
  const viaSamples: number[] = [];
  for (let index = 0; index < CALLS; index++) {
    directSamples.push(await timeCall(direct));
    viaSamples.push(await timeCall(via));
  }
  const viaSeconds = viaSamples.reduce((sum, sample) => sum + sample, 0) / 1e6;

  await direct.close();
  await via.close();
  await gateway.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  inFlight.close();
  await guard.close();
  await plane.close();
  upstream.child.kill('SIGTERM');
  await new Promise((resolve) => upstream.child.once('exit', resolve));

  const round = (value: number) => Math.round(value);
  const directP50 = percentile(directSamples, 50);
  const viaP50 = percentile(viaSamples, 50);
  const addedP50 = viaP50 - directP50;
  const addedP99 = percentile(viaSamples, 99) - percentile(directSamples, 99);
  const callsPerSecond = viaSamples.length / viaSeconds;
  return {
    direct_p50_us: round(directP50),
    via_gateway_p50_us: round(viaP50),
    added_p50_us: round(addedP50),
    added_p99_us: round(addedP99),
    calls_per_s: round(callsPerSecond),
    calls: viaSamples.length,
    note: 'sequential tools/call, one client; calls_per_s is through the gateway; gateway, guard and control plane in one process, upstream in another',
    goals: {
      added_p50_us: atMost(addedP50, 250, ' µs'),
      added_p99_us: atMost(addedP99, 1000, ' µs'),
    },
  };
}
