// Propagation: flip a rule through the HTTP API and time until every one of 1000 guards, in two
// processes apart from the control plane's, decides accordingly. Per-guard latency is the time
// from just before the API request to that guard's first matching decision.
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { adminRequest, childEnv, messageFrom, startControlPlaneProcess, stopProcess } from './control-plane-process.js';
import { atMost, percentile } from './stats.js';

const ENFORCERS = 1000;
const PROCESSES = 2;
const FLIPS = Number(process.env.BENCH_FLIPS ?? 20);
// BENCH_PROFILE=DIR writes CPU profiles of the control plane and of each guard process to DIR.
const PROFILE = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];

export async function run(): Promise<Record<string, unknown>> {
  const server = await startControlPlaneProcess(PROFILE);
  const { token } = await adminRequest(server.url, '/v1/tokens', { name: 'bench-guards', role: 'enforcer' });
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
  await Promise.all(workers.map((worker) => messageFrom(worker, (message) => message.ready === true)));

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
        return messageFrom(worker, (message) => message.armed === flip);
      }),
    );
    const done = workers.map((worker) => messageFrom(worker, (message) => message.done === flip));
    const start = performance.timeOrigin + performance.now();
    const requestStarted = performance.now();
    if (stopping) {
      ruleId = (
        await adminRequest(server.url, '/v1/rules', {
          scope: { tenant: 'bench-tenant' },
          mode: 'full_stop',
          reason: 'bench',
        })
      ).rule.id;
    } else {
      await adminRequest(server.url, `/v1/rules/${ruleId}/lift`, { reason: 'bench' });
      ruleId = undefined;
    }
    if (stopping) commits.push(performance.now() - requestStarted);
    const results = await Promise.all(done);
    // Start the next flip from a quiet system: every acknowledgement of this one received.
    const { version } = await adminRequest(server.url, '/v1/rules');
    await adminRequest(server.url, `/v1/versions/${version}/enforcement?wait=10000`);
    const latencies = results.flatMap((result) => (result.times as number[]).map((time) => time - start));
    // Only stops are the figure of merit; restores are measured the same way but not reported.
    if (stopping) {
      samples.push(...latencies);
      allDone.push(Math.max(...latencies));
    }
  }

  for (const worker of workers) worker.send({ close: true });
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
  await stopProcess(server.child);

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
