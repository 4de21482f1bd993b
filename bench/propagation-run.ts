// Propagation: flip a rule through the HTTP API and time until every one of ENFORCERS guards, in
// processes apart from the control plane's, decides accordingly. Per-guard latency is the time
// from just before the API request to that guard's first matching decision; the control plane
// also reports the time from the commit to the last guard's acknowledgement.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { adminRequest, childEnv, messageFrom, startControlPlaneProcess, stopProcess } from './control-plane-process.js';
import { percentile } from './stats.js';

// BENCH_PROFILE=DIR writes CPU profiles of the control plane and of each guard process to DIR.
const PROFILE = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];

// After the flips, the replica's store writes are counted over this quiet window (guards connected,
// nothing changing): what keeping its enforcers live costs the store.
const QUIET_MS = Number(process.env.BENCH_QUIET_MS ?? 5000);

/** The rows the control plane at `url` has written to the store's enforcer tables, from its /metrics. */
async function storeEnforcerWrites(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^estop_store_enforcer_writes_total (\S+)$/m.exec(text);
  if (match === null) throw new Error('/metrics has no estop_store_enforcer_writes_total');
  return Number(match[1]);
}

/** Resolves once the replica has written no enforcer rows for a second (at most 15 s). */
async function storeWritesSettled(url: string): Promise<void> {
  const giveUpAt = performance.now() + 15_000;
  let last = await storeEnforcerWrites(url);
  while (performance.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = await storeEnforcerWrites(url);
    if (now - last <= 1) return;
    last = now;
  }
}

/** The resident memory of a process, in bytes (Linux). */
function rssOf(pid: number | undefined): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

export interface PropagationPlan {
  enforcers: number;
  processes: number;
  /** Stops measured; as many lifts go between them. */
  flips: number;
}

export interface PropagationFigures {
  enforcers: number;
  processes: number;
  flips: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  all_enforced_p50_ms: number;
  all_acknowledged_p50_ms: number;
  all_acknowledged_p99_ms: number;
  /**
   * The first stop apart, and the others': the first comes once every guard has connected and
   * acknowledged the state it connected to, and each guard's first version above 0 is written as
   * its record then.
   */
  first_stop_acknowledged_ms: number;
  later_stops_acknowledged_p50_ms: number;
  later_stops_acknowledged_p99_ms: number;
  api_durable_p50_ms: number;
  replica_rss_mb: number;
  replica_rss_per_enforcer_kb: number;
  /** Rows the replica wrote to the store's enforcer tables per second, its guards connected and quiet. */
  store_enforcer_writes_per_s: number;
  /** Rows the replica wrote to the store's enforcer tables per flip (stops and lifts after the first pair), heartbeats included. */
  store_enforcer_writes_per_flip: number;
}

/** Flips a stop on and off `flips` times with `enforcers` guards connected to one control plane. */
export async function measurePropagation(plan: PropagationPlan): Promise<PropagationFigures> {
  const { enforcers: ENFORCERS, processes: PROCESSES, flips: FLIPS } = plan;
  const server = await startControlPlaneProcess(PROFILE);
  const rssBefore = rssOf(server.child.pid);
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
  // The first flip starts as the others do, from a quiet system: every guard's acknowledgement
  // of the state it connected to received, and the replica's records of the connects written.
  const connected = await adminRequest(server.url, '/v1/rules');
  await adminRequest(server.url, `/v1/versions/${connected.version}/enforcement?wait=10000`);
  await storeWritesSettled(server.url);
  const rssConnected = rssOf(server.child.pid);
  const acknowledged: number[] = [];

  const samples: number[] = [];
  const allDone: number[] = [];
  const commits: number[] = [];
  const call = { tenant: 'bench-tenant', tool: 'email.send' };
  let ruleId: string | undefined;
  // Store writes per flip are counted after the first stop and lift: the first version above 0 an
  // enforcer applies is written as its record (the heartbeat covers no record showing 0).
  let writesBeforeFlips = 0;
  for (let flip = 0; flip < FLIPS * 2; flip++) {
    if (flip === 2) writesBeforeFlips = await storeEnforcerWrites(server.url);
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
    const enforcement = await adminRequest(server.url, `/v1/versions/${version}/enforcement?wait=10000`);
    if (stopping && typeof enforcement.ms === 'number') acknowledged.push(enforcement.ms);
    const latencies = results.flatMap((result) => (result.times as number[]).map((time) => time - start));
    // Only stops are the figure of merit; restores are measured the same way but not reported.
    if (stopping) {
      samples.push(...latencies);
      allDone.push(Math.max(...latencies));
    }
  }

  // Let the last acknowledgements' writes land, then count the writes of a quiet window.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const writesPerFlip = ((await storeEnforcerWrites(server.url)) - writesBeforeFlips) / (FLIPS * 2 - 2);
  const writesBefore = await storeEnforcerWrites(server.url);
  const quietStarted = performance.now();
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  const writesPerSecond =
    ((await storeEnforcerWrites(server.url)) - writesBefore) / ((performance.now() - quietStarted) / 1000);

  for (const worker of workers) worker.send({ close: true });
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
  await stopProcess(server.child);

  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    enforcers: ENFORCERS,
    processes: PROCESSES,
    flips: FLIPS,
    p50_ms: round(percentile(samples, 50)),
    p99_ms: round(percentile(samples, 99)),
    max_ms: round(Math.max(...samples)),
    all_enforced_p50_ms: round(percentile(allDone, 50)),
    all_acknowledged_p50_ms: round(percentile(acknowledged, 50)),
    all_acknowledged_p99_ms: round(percentile(acknowledged, 99)),
    first_stop_acknowledged_ms: round(acknowledged[0] ?? Number.NaN),
    later_stops_acknowledged_p50_ms: round(percentile(acknowledged.slice(1), 50)),
    later_stops_acknowledged_p99_ms: round(percentile(acknowledged.slice(1), 99)),
    api_durable_p50_ms: round(percentile(commits, 50)),
    replica_rss_mb: round(rssConnected / 1024 / 1024),
    replica_rss_per_enforcer_kb: round((rssConnected - rssBefore) / ENFORCERS / 1024),
    store_enforcer_writes_per_s: round(writesPerSecond),
    store_enforcer_writes_per_flip: round(writesPerFlip),
  };
}
