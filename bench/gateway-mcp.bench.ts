// MCP gateway overhead: the same upstream (the gateway tests' server over Streamable HTTP, in its
// own process) called with sequential tools/call from the SDK's Client, directly and through the
// gateway (Client → /mcp/bench → upstream), alternating in blocks of 100 after a warm-up. The gateway
// runs in its own process, as deployed; the control plane (idle) in this one. Added latency is
// via-gateway minus direct at the same percentile.
import { spawn, type ChildProcess } from 'node:child_process';
import { hash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
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
const BLOCK = 100;
const ADMIN = 'estop_bench-admin';
const root = fileURLToPath(new URL('..', import.meta.url));
const upstreamScript = fileURLToPath(new URL('../e2e/gateway/fixtures/mcp-test-http-server.ts', import.meta.url));

/** Starts a TypeScript script in its own process; resolves with the URL it prints as `listening <url>`. */
async function spawnListening(script: string, args: readonly string[] = []) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /^listening (\S+)/.exec(line);
      if (match !== null) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
  return { url, child };
}

function startUpstream() {
  return spawnListening(upstreamScript);
}

/** The gateway in its own process, as it is deployed, with its guard on the control plane. */
function startGatewayProcess(planeUrl: string, enforcerToken: string, upstreamUrl: string) {
  return spawnListening(fileURLToPath(import.meta.url), ['--gateway', planeUrl, enforcerToken, upstreamUrl]);
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The gateway process: one MCP server `bench` in front of the upstream, until SIGTERM. */
async function serveGateway(planeUrl: string, enforcerToken: string, upstreamUrl: string): Promise<void> {
  const guard = createGuard({
    url: planeUrl,
    token: enforcerToken,
    kind: 'gateway',
    name: 'bench-gateway',
    breakGlass: {},
    // The proxy's own cost: every call here is the same write, which deduping would answer from
    // the first result. What idempotent writes add is the `idempotency` benchmark's figure.
    idempotency: { tools: { '*': false } },
  });
  await guard.ready();
  const inFlight = createInFlightCalls(guard);
  const config = GatewayFileSchema.parse({
    control_plane: { url: planeUrl },
    mcp: { servers: { bench: { url: upstreamUrl } } },
    idempotency: { tools: { '*': false } },
  });
  const gateway = await createMcpGateway({
    config,
    guard,
    identity: createIdentityResolver({ controlPlaneUrl: planeUrl }),
    inFlight,
  });
  const server = createServer((request, response) => void gateway.handle(request, response, 'bench'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  process.once('SIGTERM', () => {
    void (async () => {
      await gateway.close();
      server.closeAllConnections();
      server.close();
      inFlight.close();
      await guard.close();
      process.exit(0);
    })();
  });
}

/**
 * The MCP SDK's client gives every request its transport's one signal, and Node's fetch keeps a
 * listener on that signal per request until it is garbage collected: thousands of calls would
 * warn of a listener leak that is not one.
 */
const fetchOnSharedSignal: typeof fetch = (input, init) => {
  if (init?.signal != null) setMaxListeners(0, init.signal);
  return fetch(input, init);
};

async function connect(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'estop-bench-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: fetchOnSharedSignal }),
  );
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

  const gateway = await startGatewayProcess(planeUrl, await token('enforcer'), upstream.url);
  const gatewayUrl = `${gateway.url}/mcp/bench`;

  const direct = await connect(upstream.url, {});
  const via = await connect(gatewayUrl, { authorization: `Bearer ${await token('agent', 'bench-tenant')}` });

  for (let index = 0; index < WARM_UP; index++) {
    await timeCall(direct);
    await timeCall(via);
  }
  // Direct and via-gateway calls alternate in short blocks: each path runs warm, and both see
  // the machine (shared, noisy) at nearly the same moments.
  const directSamples: number[] = [];
  const viaSamples: number[] = [];
  for (let block = 0; block < CALLS / BLOCK; block++) {
    for (let index = 0; index < BLOCK; index++) directSamples.push(await timeCall(direct));
    for (let index = 0; index < BLOCK; index++) viaSamples.push(await timeCall(via));
  }
  const viaSeconds = viaSamples.reduce((sum, sample) => sum + sample, 0) / 1e6;

  await direct.close();
  await via.close();
  await stop(gateway.child);
  await plane.close();
  await stop(upstream.child);

  const round = (value: number) => Math.round(value);
  const directP50 = percentile(directSamples, 50);
  const viaP50 = percentile(viaSamples, 50);
  const addedP50 = viaP50 - directP50;
  const directP99 = percentile(directSamples, 99);
  const viaP99 = percentile(viaSamples, 99);
  // A difference of two tails: noise in the direct path's tail can make it small or negative,
  // which is why both tails are reported beside it.
  const addedP99 = viaP99 - directP99;
  const callsPerSecond = viaSamples.length / viaSeconds;
  return {
    direct_p50_us: round(directP50),
    via_gateway_p50_us: round(viaP50),
    added_p50_us: round(addedP50),
    direct_p99_us: round(directP99),
    via_gateway_p99_us: round(viaP99),
    added_p99_us: round(addedP99),
    calls_per_s: round(callsPerSecond),
    calls: viaSamples.length,
    note: 'sequential tools/call from one SDK client, direct and via gateway alternating in blocks of 100; calls_per_s is through the gateway; client (with an idle control plane), gateway and upstream each in its own process',
    goals: {
      added_p50_us: atMost(addedP50, 250, ' µs'),
      added_p99_us: atMost(addedP99, 1000, ' µs'),
    },
  };
}

if (process.argv[2] === '--gateway') {
  const [planeUrl, enforcerToken, upstreamUrl] = process.argv.slice(3) as [string, string, string];
  await serveGateway(planeUrl, enforcerToken, upstreamUrl);
}
