// gateway.http: the latency the HTTP tool gateway adds to a tool call and the calls per second it
// forwards. The upstream and the load generator each run in a process of their own; the gateway
// runs in this process, beside an in-memory control plane that is idle during the measurement
// (it only sends keep-alives). Latency: sequential keep-alive POSTs with a small JSON body,
// directly to the upstream and through the gateway, interleaved in rounds after a warm-up.
// Throughput: CONCURRENCY calls in flight through the gateway for SECONDS.
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createMemoryStore } from '@estop/core';
import { createGateway, GatewayFileSchema } from '@estop/gateway';
import { createControlPlane } from '@estop/server';
import { ADMIN, adminRequest, childEnv, messageFrom } from './control-plane-process.js';
import { atLeast, atMost } from './stats.js';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const WORKER = fileURLToPath(new URL('./gateway-http-worker.ts', import.meta.url));

function start(role: string, ...args: string[]): ChildProcess {
  return fork(WORKER, [role, ...args], {
    execArgv: ['--import', 'tsx'],
    env: childEnv(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

export async function run(): Promise<Record<string, unknown>> {
  const upstream = start('upstream');
  const { port } = (await messageFrom(upstream)) as { port: number };
  const upstreamUrl = `http://127.0.0.1:${port}/send`;
  const bare = start('bare-proxy', String(port));
  const barePort = ((await messageFrom(bare)) as { port: number }).port;

  const store = createMemoryStore({ sha256: (text: string) => createHash('sha256').update(text).digest('hex') });
  const plane = await createControlPlane({ store, adminToken: ADMIN });
  const planeUrl = await plane.listen({ port: 0 });
  const enforcer = (await adminRequest(planeUrl, '/v1/tokens', { name: 'bench-gateway', role: 'enforcer' }))
    .token as string;
  const agent = (await adminRequest(planeUrl, '/v1/tokens', { name: 'bench-agent', role: 'agent', tenant: 'acme' }))
    .token as string;
  // A rule on another tenant, so decisions look at a non-empty state.
  await adminRequest(planeUrl, '/v1/rules', { scope: { tenant: 'globex' }, mode: 'read_only', reason: 'bench' });
  // The proxy's own cost: every call here is the same write, which deduping would answer from
  // the first result. What idempotent writes add is the `idempotency` benchmark's figure.
  const config = GatewayFileSchema.parse({
    control_plane: { url: planeUrl },
    listen: { host: '127.0.0.1', port: 0 },
    idempotency: { tools: { '*': false } },
    http: {
      routes: { 'email.send': { method: 'POST', upstream: upstreamUrl, headers: { authorization: 'Bearer k' } } },
    },
  });
  const gateway = createGateway({ config, token: enforcer });
  await gateway.guard.ready();
  const gatewayUrl = await gateway.listen();

  const client = start('client');
  const answer = new Promise<{ figures?: Record<string, number>; error?: string }>((resolve, reject) => {
    client.on('message', (value: { cpu?: boolean; figures?: Record<string, number>; error?: string }) => {
      if (value.cpu === true) {
        const usage = process.cpuUsage();
        client.send({ cpu: usage.user + usage.system });
      } else resolve(value);
    });
    client.once('exit', (code) => reject(new Error(`benchmark client exited with ${code}`)));
  });
  client.send({
    direct: upstreamUrl,
    gateway: `${gatewayUrl}/tools/email.send`,
    bare: `http://127.0.0.1:${barePort}/send`,
    token: agent,
    rounds: 20,
    perRound: 500,
    warmup: 2000,
    concurrency: CONCURRENCY,
    seconds: SECONDS,
  });
  const result = await answer;
  await gateway.close();
  await plane.close();
  upstream.kill();
  bare.kill();
  if (result.figures === undefined) throw new Error(`benchmark client failed: ${result.error}`);
  const figures = result.figures;
  const addedP50 = (figures.via_gateway_p50_us as number) - (figures.direct_p50_us as number);
  const addedP99 = (figures.via_gateway_p99_us as number) - (figures.direct_p99_us as number);
  const callsPerSecond = figures.calls_per_s as number;
  return {
    direct_p50_us: Math.round(figures.direct_p50_us as number),
    via_gateway_p50_us: Math.round(figures.via_gateway_p50_us as number),
    added_p50_us: Math.round(addedP50),
    direct_p99_us: Math.round(figures.direct_p99_us as number),
    via_gateway_p99_us: Math.round(figures.via_gateway_p99_us as number),
    added_p99_us: Math.round(addedP99),
    calls_per_s: Math.round(callsPerSecond),
    direct_calls_per_s: Math.round(figures.direct_calls_per_s as number),
    gateway_cpu_us_per_call: Math.round(figures.gateway_cpu_us_per_call as number),
    // The same path through the least a node:http proxy can do, for what this machine allows.
    bare_proxy_added_p50_us: Math.round((figures.bare_proxy_p50_us as number) - (figures.direct_p50_us as number)),
    bare_proxy_added_p99_us: Math.round((figures.bare_proxy_p99_us as number) - (figures.direct_p99_us as number)),
    bare_proxy_calls_per_s: Math.round(figures.bare_proxy_calls_per_s as number),
    // The gateway's own cost against the least a proxy can do, on the same path in the same run.
    ratio_added_p50_vs_bare_proxy: Number(
      (addedP50 / ((figures.bare_proxy_p50_us as number) - (figures.direct_p50_us as number))).toFixed(2),
    ),
    ratio_calls_per_s_vs_bare_proxy: Number((callsPerSecond / (figures.bare_proxy_calls_per_s as number)).toFixed(2)),
    samples_per_series: figures.samples,
    concurrency: CONCURRENCY,
    setup: 'upstream and load generator in their own processes; gateway with an idle in-memory control plane in one',
    goals: {
      added_p50_us: atMost(addedP50, 250, ' µs'),
      added_p99_us: atMost(addedP99, 1000, ' µs'),
      calls_per_s: atLeast(callsPerSecond, 8000),
      ratio_added_p50_vs_bare_proxy: atMost(
        addedP50 / ((figures.bare_proxy_p50_us as number) - (figures.direct_p50_us as number)),
        1.3,
      ),
      ratio_calls_per_s_vs_bare_proxy: atLeast(callsPerSecond / (figures.bare_proxy_calls_per_s as number), 0.8),
    },
  };
}
