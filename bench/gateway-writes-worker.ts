// The processes of the gateway.http_writes benchmark: `gateway` runs one HTTP tool gateway with
// the configuration it is sent, `client` sends distinct write bodies to each target, many in
// flight, timing every call, and `sdk` does the same through an SDK guard's `run.tool`, each
// call's tool a POST to the upstream. Driven over IPC by gateway-http-writes.bench.ts.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createGateway, GatewayFileSchema } from '@estop/gateway';
import { createGuard } from '@estop/sdk';
import { createRedisIdempotencyStore } from '@estop/store-redis';
import { percentile } from './stats.js';

/** One series: where the writes go, and the agent token for a gateway (none for the upstream or the bare proxy). */
export interface WriteTarget {
  name: string;
  urls: string[];
  token?: string;
}

export interface WritesPlan {
  targets: WriteTarget[];
  concurrency: number;
  seconds: number;
  rounds: number;
}

export interface SeriesFigures {
  calls_per_s: number;
  p50_us: number;
  p99_us: number;
  /** SDK series: how long a write waited before its tool ran (its key's claim), median. */
  before_run_p50_us?: number;
  /** SDK series: the control plane's CPU time per write (user and system, from /proc). */
  control_plane_cpu_us_per_call?: number;
}

/** A process's CPU time so far in µs (user and system), from /proc on Linux; undefined elsewhere. */
function cpuMicros(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
    if (fields === undefined) return undefined;
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Linux's clock ticks per second, which /proc's times count in. */
const CLOCK_TICKS = 100;

async function startGateway(message: { config: unknown; token: string }): Promise<void> {
  const config = GatewayFileSchema.parse(message.config);
  const redis = config.idempotency.redis;
  const keys = redis === undefined ? undefined : createRedisIdempotencyStore({ url: redis.url, prefix: redis.prefix });
  const gateway = createGateway({ config, token: message.token, keys });
  await gateway.guard.ready();
  const url = await gateway.listen();
  process.send?.({ url });
  process.on('disconnect', () => {
    void gateway
      .close()
      .then(() => keys?.close())
      .finally(() => process.exit(0));
  });
}

// Every body is new, so every call is a first write: its key is claimed and completed.
let sequence = 0;
const PREFIX = `${process.pid}-${Date.now()}-`;

function post(url: URL, token: string | undefined, agent: http.Agent): Promise<void> {
  const body = `{"to":"someone@example.com","subject":"bench","n":"${PREFIX}${sequence++}"}`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return new Promise<void>((resolve, reject) => {
    const request = http.request(
      { hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent },
      (response) => {
        response.on('data', () => {});
        response.on('end', () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`${url.href} answered ${response.statusCode}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** `concurrency` loops for `seconds`, spread over the target's URLs; every call's time is kept. */
async function series(target: WriteTarget, concurrency: number, seconds: number, samples: number[]): Promise<number> {
  const urls = target.urls.map((url) => new URL(url));
  const agents = urls.map(() => new http.Agent({ keepAlive: true, maxSockets: concurrency }));
  const deadline = performance.now() + seconds * 1000;
  let completed = 0;
  const loop = async (index: number): Promise<void> => {
    const at = index % urls.length;
    while (performance.now() < deadline) {
      const start = process.hrtime.bigint();
      await post(urls[at] as URL, target.token, agents[at] as http.Agent);
      samples.push(Number(process.hrtime.bigint() - start) / 1000);
      completed++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, index) => loop(index)));
  const elapsed = (performance.now() - start) / 1000;
  for (const agent of agents) agent.destroy();
  return completed / elapsed;
}

async function runClient(plan: WritesPlan): Promise<Record<string, SeriesFigures>> {
  const samples = new Map<string, number[]>(plan.targets.map((target) => [target.name, []]));
  const rates = new Map<string, number[]>(plan.targets.map((target) => [target.name, []]));
  // A short warm-up of each, then rounds in alternating order, so drift in the machine's load
  // falls on every series alike.
  for (const target of plan.targets) await series(target, plan.concurrency, 0.5, []);
  for (let round = 0; round < plan.rounds; round++) {
    const order = round % 2 === 0 ? plan.targets : [...plan.targets].reverse();
    for (const target of order) {
      const rate = await series(target, plan.concurrency, plan.seconds, samples.get(target.name) as number[]);
      (rates.get(target.name) as number[]).push(rate);
    }
  }
  const figures: Record<string, SeriesFigures> = {};
  for (const target of plan.targets) {
    const times = samples.get(target.name) as number[];
    const perRound = rates.get(target.name) as number[];
    figures[target.name] = {
      calls_per_s: perRound.reduce((sum, rate) => sum + rate, 0) / perRound.length,
      p50_us: percentile(times, 50),
      p99_us: percentile(times, 99),
    };
  }
  return figures;
}

export interface SdkPlan {
  controlPlane: string;
  /** The control plane's process id, to read its CPU time from /proc during the SDK's writes. */
  controlPlanePid: number;
  token: string;
  upstream: string;
  concurrency: number;
  seconds: number;
  rounds: number;
}

/**
 * `run.tool` writes, `concurrency` in flight, with deduplication on (the guard's default) and
 * off, in alternating rounds; each call's tool POSTs a distinct body to the upstream.
 */
async function runSdk(plan: SdkPlan): Promise<Record<string, SeriesFigures>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const upstream = new URL(plan.upstream);
  const variants = {
    sdk_default: createGuard({ url: plan.controlPlane, token: plan.token, name: 'bench-sdk-default' }),
    sdk_no_dedupe: createGuard({
      url: plan.controlPlane,
      token: plan.token,
      name: 'bench-sdk-no-dedupe',
      idempotency: { tools: { '*': false } },
    }),
  };
  await Promise.all(Object.values(variants).map((guard) => guard.ready()));
  const figures: Record<string, SeriesFigures> = {};
  const names = Object.keys(variants);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  const waits = new Map<string, number[]>(names.map((name) => [name, []]));
  const rates = new Map<string, number[]>(names.map((name) => [name, []]));
  const planeCpu = new Map<string, { micros: number; calls: number }>(
    names.map((name) => [name, { micros: 0, calls: 0 }]),
  );
  const measure = async (name: string, seconds: number, keep: boolean): Promise<void> => {
    const guard = variants[name as keyof typeof variants];
    const run = guard.startRun({ tenant: 'acme', agent: 'bench' });
    const deadline = performance.now() + seconds * 1000;
    let completed = 0;
    const times = keep ? (samples.get(name) as number[]) : [];
    const before = keep ? (waits.get(name) as number[]) : [];
    const loop = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const start = process.hrtime.bigint();
        const n = `${PREFIX}${sequence++}`;
        await run.tool(
          'email.send',
          { to: 'someone@example.com', n },
          () => {
            before.push(Number(process.hrtime.bigint() - start) / 1000);
            return post(upstream, undefined, agent);
          },
          { effect: 'write' },
        );
        times.push(Number(process.hrtime.bigint() - start) / 1000);
        completed++;
      }
    };
    const cpuBefore = cpuMicros(plan.controlPlanePid);
    const started = performance.now();
    await Promise.all(Array.from({ length: plan.concurrency }, loop));
    const cpuAfter = cpuMicros(plan.controlPlanePid);
    if (keep) {
      (rates.get(name) as number[]).push(completed / ((performance.now() - started) / 1000));
      const cpu = planeCpu.get(name) as { micros: number; calls: number };
      if (cpuBefore !== undefined && cpuAfter !== undefined) {
        cpu.micros += cpuAfter - cpuBefore;
        cpu.calls += completed;
      }
    }
    await run.end();
  };
  for (const name of names) await measure(name, 0.5, false);
  for (let round = 0; round < plan.rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) await measure(name, plan.seconds, true);
  }
  for (const name of names) {
    const perRound = rates.get(name) as number[];
    const times = samples.get(name) as number[];
    const cpu = planeCpu.get(name) as { micros: number; calls: number };
    figures[name] = {
      calls_per_s: perRound.reduce((sum, rate) => sum + rate, 0) / perRound.length,
      p50_us: percentile(times, 50),
      p99_us: percentile(times, 99),
      before_run_p50_us: percentile(waits.get(name) as number[], 50),
      control_plane_cpu_us_per_call: cpu.calls === 0 ? undefined : cpu.micros / cpu.calls,
    };
  }
  await Promise.all(Object.values(variants).map((guard) => guard.close()));
  agent.destroy();
  return figures;
}

if (process.argv[2] === 'gateway') {
  process.once('message', (message: { config: unknown; token: string }) => {
    startGateway(message).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
} else if (process.argv[2] === 'sdk') {
  process.once('message', (plan: SdkPlan) => {
    runSdk(plan).then(
      (figures) => process.send?.({ figures }, () => process.exit(0)),
      (error: unknown) => process.send?.({ error: String(error) }, () => process.exit(1)),
    );
  });
} else if (process.argv[2] === 'client') {
  process.once('message', (plan: WritesPlan) => {
    runClient(plan).then(
      (figures) => process.send?.({ figures }, () => process.exit(0)),
      (error: unknown) => process.send?.({ error: String(error) }, () => process.exit(1)),
    );
  });
}
