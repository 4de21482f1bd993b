// gateway.http_writes: distinct writes through the HTTP tool gateway, CONCURRENCY in flight, in
// the configuration a user gets by default first (deduplication on, keys kept by a real
// `estop serve` on embedded SQLite), and beside it in the same run: the same gateway with
// deduplication off, gateways keeping keys in Redis, a bare node:http proxy, and the upstream
// directly; and an SDK guard's run.tool writes (each a POST to the upstream) with and without. Upstream, load generator, control plane and each gateway run in processes of their own.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { adminRequest, childEnv, messageFrom, startControlPlaneProcess, stopProcess } from './control-plane-process.js';
import type { SeriesFigures, WriteTarget } from './gateway-writes-worker.js';
import { atLeast, atMost } from './stats.js';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const REDIS_URL = process.env.ESTOP_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const HTTP_WORKER = fileURLToPath(new URL('./gateway-http-worker.ts', import.meta.url));
const WRITES_WORKER = fileURLToPath(new URL('./gateway-writes-worker.ts', import.meta.url));

function start(worker: string, ...args: string[]): ChildProcess {
  return fork(worker, args, {
    execArgv: ['--conditions=source', '--import', 'tsx'],
    env: childEnv(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function startGateway(
  config: Record<string, unknown>,
  token: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = start(WRITES_WORKER, 'gateway');
  child.send({ config, token });
  const { url } = (await messageFrom(child)) as { url: string };
  return { child, url: `${url}/tools/email.send` };
}

function roundOrNull(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value);
}

export async function run(): Promise<Record<string, unknown>> {
  const upstream = start(HTTP_WORKER, 'upstream');
  const { port } = (await messageFrom(upstream)) as { port: number };
  const upstreamUrl = `http://127.0.0.1:${port}/send`;
  const bare = start(HTTP_WORKER, 'bare-proxy', String(port));
  const barePort = ((await messageFrom(bare)) as { port: number }).port;
  const plane = await startControlPlaneProcess();
  const enforcer = (await adminRequest(plane.url, '/v1/tokens', { name: 'bench-gateways', role: 'enforcer' }))
    .token as string;
  const agent = (
    await adminRequest(plane.url, '/v1/tokens', { name: 'bench-agent', role: 'agent', tenant: 'acme', anyAgent: true })
  ).token as string;
  await adminRequest(plane.url, '/v1/rules', { scope: { tenant: 'globex' }, mode: 'read_only', reason: 'bench' });

  const base = {
    control_plane: { url: plane.url },
    listen: { host: '127.0.0.1', port: 0 },
    http: {
      routes: { 'email.send': { method: 'POST', upstream: upstreamUrl, headers: { authorization: 'Bearer k' } } },
    },
  };
  const gateways = {
    default: await startGateway(base, enforcer),
    noDedupe: await startGateway({ ...base, idempotency: { tools: { '*': false } } }, enforcer),
    redisA: await startGateway({ ...base, idempotency: { redis: { url: REDIS_URL } } }, enforcer),
    redisB: await startGateway({ ...base, idempotency: { redis: { url: REDIS_URL } } }, enforcer),
  };
  const targets: WriteTarget[] = [
    { name: 'default', urls: [gateways.default.url], token: agent },
    { name: 'no_dedupe', urls: [gateways.noDedupe.url], token: agent },
    { name: 'redis', urls: [gateways.redisA.url, gateways.redisB.url], token: agent },
    { name: 'bare_proxy', urls: [`http://127.0.0.1:${barePort}/send`] },
    { name: 'upstream', urls: [upstreamUrl] },
  ];
  // The SDK's run.tool writes, against the same control plane and upstream.
  const sdk = start(WRITES_WORKER, 'sdk');
  sdk.send({
    controlPlane: plane.url,
    controlPlanePid: plane.child.pid as number,
    token: enforcer,
    upstream: upstreamUrl,
    concurrency: CONCURRENCY,
    seconds: SECONDS,
    rounds: ROUNDS,
  });
  const sdkAnswer = (await messageFrom(sdk)) as { figures?: Record<string, SeriesFigures>; error?: string };
  if (sdkAnswer.figures === undefined) throw new Error(`benchmark SDK client failed: ${sdkAnswer.error}`);
  const client = start(WRITES_WORKER, 'client');
  client.send({ targets, concurrency: CONCURRENCY, seconds: SECONDS, rounds: ROUNDS });
  const answer = (await messageFrom(client)) as { figures?: Record<string, SeriesFigures>; error?: string };
  for (const gateway of Object.values(gateways)) gateway.child.disconnect();
  await Promise.all(Object.values(gateways).map((gateway) => stopProcess(gateway.child)));
  await stopProcess(plane.child);
  upstream.kill();
  bare.kill();
  if (answer.figures === undefined) throw new Error(`benchmark client failed: ${answer.error}`);
  const f = answer.figures as Record<'default' | 'no_dedupe' | 'redis' | 'bare_proxy' | 'upstream', SeriesFigures>;
  const s = sdkAnswer.figures as Record<'sdk_default' | 'sdk_no_dedupe', SeriesFigures>;
  const ratio = f.default.calls_per_s / f.no_dedupe.calls_per_s;
  const sdkRatio = s.sdk_default.calls_per_s / s.sdk_no_dedupe.calls_per_s;
  const p50Above = f.default.p50_us - f.no_dedupe.p50_us;
  return {
    default_calls_per_s: Math.round(f.default.calls_per_s),
    default_p50_us: Math.round(f.default.p50_us),
    default_p99_us: Math.round(f.default.p99_us),
    no_dedupe_calls_per_s: Math.round(f.no_dedupe.calls_per_s),
    no_dedupe_p50_us: Math.round(f.no_dedupe.p50_us),
    no_dedupe_p99_us: Math.round(f.no_dedupe.p99_us),
    redis_calls_per_s: Math.round(f.redis.calls_per_s),
    redis_p50_us: Math.round(f.redis.p50_us),
    redis_p99_us: Math.round(f.redis.p99_us),
    bare_proxy_calls_per_s: Math.round(f.bare_proxy.calls_per_s),
    bare_proxy_p50_us: Math.round(f.bare_proxy.p50_us),
    upstream_calls_per_s: Math.round(f.upstream.calls_per_s),
    upstream_p50_us: Math.round(f.upstream.p50_us),
    upstream_p99_us: Math.round(f.upstream.p99_us),
    ratio_default_vs_no_dedupe: Number(ratio.toFixed(3)),
    sdk_default_calls_per_s: Math.round(s.sdk_default.calls_per_s),
    sdk_default_p50_us: Math.round(s.sdk_default.p50_us),
    sdk_no_dedupe_calls_per_s: Math.round(s.sdk_no_dedupe.calls_per_s),
    sdk_no_dedupe_p50_us: Math.round(s.sdk_no_dedupe.p50_us),
    ratio_sdk_default_vs_no_dedupe: Number(sdkRatio.toFixed(3)),
    // Where a default write's time goes: waiting for its key's claim before the tool runs, and
    // the control plane's CPU per write, which each batch of claims waits for in turn.
    sdk_default_before_run_p50_us: Math.round(s.sdk_default.before_run_p50_us ?? 0),
    sdk_no_dedupe_before_run_p50_us: Math.round(s.sdk_no_dedupe.before_run_p50_us ?? 0),
    sdk_default_control_plane_cpu_us_per_call: roundOrNull(s.sdk_default.control_plane_cpu_us_per_call),
    ratio_no_dedupe_vs_bare_proxy: Number((f.no_dedupe.calls_per_s / f.bare_proxy.calls_per_s).toFixed(3)),
    concurrency: CONCURRENCY,
    setup:
      'distinct write bodies; upstream, load generator, `estop serve` (SQLite) and each gateway in processes of their own; redis: two gateways sharing keys in Redis, the load split between them',
    goals: {
      ratio_default_vs_no_dedupe: atLeast(ratio, 0.8),
      ratio_sdk_default_vs_no_dedupe: atLeast(sdkRatio, 0.8),
      default_p50_above_no_dedupe_us: atMost(p50Above, 1000, ' µs'),
      redis_calls_per_s: atLeast(f.redis.calls_per_s, 10_000),
    },
  };
}
