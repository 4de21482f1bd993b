// Propagation: flip a rule through the HTTP API and time until every one of 1000 guards, in two
// processes apart from the control plane's, decides accordingly. Per-guard latency is the time
// from just before the API request to that guard's first matching decision.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { atMost, percentile } from './stats.js';

const ENFORCERS = 1000;
const PROCESSES = 2;
const FLIPS = Number(process.env.BENCH_FLIPS ?? 20);
const ADMIN = 'estop_bench-admin';
// BENCH_PROFILE=DIR writes CPU profiles of the control plane and of each guard process to DIR.
const PROFILE = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
const root = fileURLToPath(new URL('..', import.meta.url));

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ESTOP_ADMIN_TOKEN: ADMIN };
  delete env.NODE_OPTIONS;
  return env;
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const data = await mkdtemp(join(tmpdir(), 'estop-bench-'));
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof-server'] : []),
      join(root, 'packages/cli/dist/bin.js'),
      'serve',
      '--port',
      '0',
      '--data',
      data,
    ],
    {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /control plane on (\S+)/.exec(line);
      if (match !== null) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { url, child };
}

async function api(url: string, path: string, body: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

function waitFor(child: ChildProcess, predicate: (message: any) => boolean): Promise<any> {
  return new Promise((resolve) => {
    const listener = (message: any) => {
      if (!predicate(message)) return;
      child.off('message', listener);
      resolve(message);
    };
    child.on('message', listener);
  });
}

export async function run(): Promise<Record<string, unknown>> {
  const server = await startServer();
  const { token } = await api(server.url, '/v1/tokens', { name: 'bench-guards', role: 'enforcer' });
  const workers = Array.from({ length: PROCESSES }, (_, index) =>
    fork(
      fileURLToPath(new URL('./propagation-worker.ts', import.meta.url)),
      [server.url, token, String(ENFORCERS / PROCESSES), `bench-${index}`],
      {
        execArgv: ['--conditions=source', '--import', 'tsx', ...PROFILE],
        env: childEnv(),
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    ),
  );
  await Promise.all(workers.map((worker) => waitFor(worker, (message) => message.ready === true)));

  const samples: number[] = [];
  const allDone: number[] = [];
  const commits: number[] = [];
  const call = { tenant: 'bench-tenant', tool: 'email.send' };
  let ruleId: string | undefined;
  for (let flip = 0; flip < FLIPS * 2; flip++) {
    const stopping = ruleId === undefined;
    const arm = { flip, call, expect: stopping ? 'deny' : 'allow' };
    await Promise.all(
      workers.map((worker) => {
        worker.send({ arm });
        return waitFor(worker, (message) => message.armed === flip);
      }),
    );
    const done = workers.map((worker) => waitFor(worker, (message) => message.done === flip));
    const start = performance.timeOrigin + performance.now();
    const requestStarted = performance.now();
    if (stopping) {
      ruleId = (
        await api(server.url, '/v1/rules', { scope: { tenant: 'bench-tenant' }, mode: 'full_stop', reason: 'bench' })
      ).rule.id;
    } else {
      await api(server.url, `/v1/rules/${ruleId}/lift`, { reason: 'bench' });
      ruleId = undefined;
    }
    if (stopping) commits.push(performance.now() - requestStarted);
    const results = await Promise.all(done);
    // Start the next flip from a quiet system: every acknowledgement of this one received.
    const version = (
      (await (await fetch(`${server.url}/v1/rules`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as {
        version: number;
      }
    ).version;
    await fetch(`${server.url}/v1/versions/${version}/enforcement?wait=10000`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const latencies = results.flatMap((result) => (result.times as number[]).map((time) => time - start));
    // Only stops are the figure of merit; restores are measured the same way but not reported.
    if (stopping) {
      samples.push(...latencies);
      allDone.push(Math.max(...latencies));
    }
  }

  for (const worker of workers) worker.send({ close: true });
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));

  const round = (value: number) => Math.round(value * 100) / 100;
  const p50 = percentile(samples, 50);
  const p99 = percentile(samples, 99);
  return {
    enforcers: ENFORCERS,
    processes: PROCESSES,
    flips: FLIPS,
    p50_ms: round(p50),
    p99_ms: round(p99),
    max_ms: round(Math.max(...samples)),
    all_enforced_p50_ms: round(percentile(allDone, 50)),
    api_durable_p50_ms: round(percentile(commits, 50)),
    goals: { p50_ms: atMost(p50, 20, ' ms'), p99_ms: atMost(p99, 100, ' ms') },
  };
}
