// The cluster test under faults, run by `scripts/cluster.sh test` on the cluster it brought up:
// 3,000 SDK guards in 3 processes, spread over the replicas, while flips go through HAProxy and a
// replica is killed, PostgreSQL restarted, Redis stopped and a replica frozen. Each check prints
// its figures; the last line is `cluster: N passed, M failed` and bench/results.json gets a
// `cluster` section.
import type { ChildProcess } from 'node:child_process';
import { createGuard, type Call } from '@estop/sdk';
import { percentile, writeResults } from '../../bench/stats.js';
import {
  api,
  askAll,
  balancerSays,
  clusterCommand,
  connectedPerReplica,
  killReplicaNow,
  loadCluster,
  now,
  replicaMemoryMb,
  sleep,
  startWorkers,
  until,
  type Answer,
  type Cluster,
} from './cluster-harness.js';

const PROCESSES = 3;
const ENFORCERS = Number(process.env.ESTOP_CLUSTER_ENFORCERS ?? 3000);
const PER_PROCESS = Math.ceil(ENFORCERS / PROCESSES);
const TOTAL = PER_PROCESS * PROCESSES;
const FLIPS = 5;
/** The guards' staleness bound; the replicas send keep-alives every second (examples/cluster/estop.yaml). */
const STALE_AFTER_MS = 5000;
/** Replicas that missed a NOTIFY learn of a change by their poll, within a second. */
const FOLLOW_MS = 1000;
const PG_OUTAGE_MS = 3000;

const cluster: Cluster = loadCluster();
const lb = cluster.lb;
let passed = 0;
let failed = 0;
const figures: Record<string, number> = {};

function report(name: string, ok: boolean, lines: string[]): void {
  if (ok) passed += 1;
  else failed += 1;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}\n${lines.map((line) => `       ${line}\n`).join('')}`);
}

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
// Tenants are named per run, so that a run against a cluster an earlier run used starts clean.
const RUN = Date.now().toString(36);
const write = (tenant: string): Call => ({ tenant: `${tenant}-${RUN}`, tool: 'email.send', effect: 'write' });

async function stop(
  base: string,
  tenant: string,
  reason = 'cluster test',
): Promise<{ id: string; version: number; at: number }> {
  const answer = await api(cluster, base, '/v1/rules', {
    scope: { tenant: `${tenant}-${RUN}` },
    mode: 'read_only',
    reason,
  });
  if (answer.status !== 201) throw new Error(`stopping ${tenant}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { id: answer.body.rule.id, version: answer.body.version, at: now() };
}

/** Arms every worker to time its guards' first `expect` decision of `call`. */
async function arm(workers: ChildProcess[], flip: number, call: Call, expect: 'allow' | 'deny'): Promise<void> {
  await askAll(workers, { arm: { flip, call, expect } }, (message) => message.armed === flip);
}

/** Each guard's time of the armed decision (NaN for those not there by `timeoutMs`). */
async function timesOf(workers: ChildProcess[], flip: number, timeoutMs: number): Promise<number[]> {
  const done = Promise.all(
    workers.map(
      (worker) =>
        new Promise<number[] | undefined>((resolve) => {
          const listener = (message: any) => {
            if (message.done !== flip) return;
            worker.off('message', listener);
            resolve(message.times);
          };
          worker.on('message', listener);
          setTimeout(() => {
            worker.off('message', listener);
            resolve(undefined);
          }, timeoutMs).unref();
        }),
    ),
  );
  const results = await done;
  const all: number[] = [];
  for (const [index, times] of results.entries()) {
    // NaN crosses IPC as null: a guard not there yet.
    if (times !== undefined) all.push(...times.map((time) => time ?? Number.NaN));
    else {
      const worker = workers[index] as ChildProcess;
      const [collected] = await askAll([worker], { collect: flip }, (message) => message.collected === flip);
      all.push(...(collected.times as (number | null)[]).map((time) => time ?? Number.NaN));
    }
  }
  return all;
}

interface Enforced {
  acknowledged: number;
  total: number;
  pending?: { name: string; version: number }[];
  /** Why there is no count (-1/-1): the last answer's status and body. */
  failure?: string;
}

/**
 * The enforcement of `version`, waiting up to `waitMs`. A replica that cannot vouch for its view
 * of the store yet (just after PostgreSQL is back) answers 503: asked again within the wait, as
 * a client does; any other failure is -1/-1.
 */
async function enforcement(base: string, version: number, waitMs: number): Promise<Enforced> {
  const deadline = now() + waitMs;
  for (;;) {
    const left = Math.max(0, Math.round(deadline - now()));
    const answer = await api(cluster, base, `/v1/versions/${version}/enforcement?wait=${left}`, undefined, left + 5000);
    if (answer.status === 200) return answer.body;
    if (answer.status !== 503 || now() >= deadline) {
      const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      return { acknowledged: -1, total: -1, failure: `${answer.status} ${body.slice(0, 300)}` };
    }
    await sleep(100);
  }
}

/** Who the API says is behind, for a failure's message. */
const behind = (answer: Enforced): string =>
  (answer.pending ?? [])
    .slice(0, 3)
    .map((pending) => `${pending.name}@${pending.version}`)
    .join(', ');

async function watch(workers: ChildProcess[], call: Call, version: number, since: number): Promise<void> {
  const boundMs = STALE_AFTER_MS + FOLLOW_MS;
  await askAll(workers, { watch: { call, version, since, boundMs } }, (message) => message.watching === version);
}

/** Violations counted before the check under way began: each check reports its own. */
let violationsBefore = 0;

async function states(
  workers: ChildProcess[],
): Promise<{ stale: number; versions: number[]; violations: number; examples: unknown[] }> {
  const answers = await askAll(workers, { state: true }, (message) => message.report === true);
  return {
    stale: answers.reduce((sum, answer) => sum + answer.stale, 0),
    versions: answers.flatMap((answer) => answer.versions),
    violations: answers.reduce((sum, answer) => sum + answer.violationCount, 0) - violationsBefore,
    examples: answers.flatMap((answer) => answer.violations),
  };
}

async function erredSince(workers: ChildProcess[], since: number): Promise<Set<number>> {
  const answers = await askAll(workers, { errorsSince: since }, (message) => message.erred === since);
  const indexes = new Set<number>();
  answers.forEach((answer, worker) => {
    for (const index of answer.indexes as number[]) indexes.add(worker * PER_PROCESS + index);
  });
  return indexes;
}

async function guardsHaving(workers: ChildProcess[], ruleId: string): Promise<number> {
  const answers = await askAll(workers, { haveRule: ruleId }, (message) => message.rule === ruleId);
  return answers.reduce((sum, answer) => sum + answer.having, 0);
}

let flipNumber = 0;

/** The active rules through the balancer, asked again while it answers no 200 (for up to 15 s). */
async function listRules(): Promise<Answer> {
  let answer = await api(cluster, lb, '/v1/rules');
  const deadline = now() + 15_000;
  while (answer.status !== 200 && now() < deadline) {
    await sleep(250);
    answer = await api(cluster, lb, '/v1/rules');
  }
  return answer;
}

/** How many guards had applied a flip at `at`. */
function appliedBy(times: number[], at: number): number {
  return times.filter((time) => time <= at).length;
}

/** Asks `base` for the enforcement of `version` every 50 ms until stopped; resolves with every answer. */
function pollEnforcement(
  base: string,
  version: number,
): { stop: () => Promise<{ at: number; acknowledged: number; total: number }[]> } {
  const answers: { at: number; acknowledged: number; total: number }[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const answer = await enforcement(base, version, 0);
      // Compared with the guards' times when the answer arrived: acknowledgements come after.
      if (answer.total >= 0) answers.push({ at: now(), acknowledged: answer.acknowledged, total: answer.total });
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      polling = false;
      await poller;
      return answers;
    },
  };
}

/** Runs one check; one that throws is counted failed with its error, and the next runs. */
async function check(name: string, workers: ChildProcess[], body: () => Promise<void>): Promise<void> {
  violationsBefore = 0;
  violationsBefore = (await states(workers)).violations;
  try {
    await body();
  } catch (error) {
    report(name, false, [`broke off: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

/** Check 1: flips through the load balancer, each acknowledged by every guard. */
async function flipsThroughTheBalancer(workers: ChildProcess[]): Promise<void> {
  const latencies: number[] = [];
  let allAcknowledged = true;
  let worst = '';
  for (let round_ = 0; round_ < FLIPS; round_++) {
    const tenant = `cluster-flip-${round_}`;
    const flip = ++flipNumber;
    await arm(workers, flip, write(tenant), 'deny');
    const start = now();
    const rule = await stop(lb, tenant);
    const times = await timesOf(workers, flip, 20_000);
    latencies.push(...times.map((time) => time - start));
    const answer = await enforcement(lb, rule.version, 10_000);
    const missing = times.filter(Number.isNaN).length;
    if (missing > 0 || answer.acknowledged !== TOTAL || answer.total !== TOTAL) {
      allAcknowledged = false;
      worst = `flip ${round_}: ${TOTAL - missing}/${TOTAL} guards decided the stop, the API says ${answer.acknowledged}/${answer.total} (behind: ${behind(answer)})${answer.failure === undefined ? '' : `: ${answer.failure}`}`;
    }
    const lift = await api(cluster, lb, `/v1/rules/${rule.id}/lift`, { reason: 'cluster test' });
    if (lift.status !== 200) throw new Error(`lift: ${lift.status} ${JSON.stringify(lift.body)}`);
  }
  const defined = latencies.filter((value) => !Number.isNaN(value));
  figures.flip_p50_ms = round(percentile(defined, 50), 2);
  figures.flip_p99_ms = round(percentile(defined, 99), 2);
  report(`a flip through the load balancer is acknowledged by all ${TOTAL}`, allAcknowledged, [
    `${FLIPS} stops, each decided by every guard and counted ${TOTAL}/${TOTAL} by GET /v1/versions/:v/enforcement`,
    `replicas' memory with the guards on them: ${replicaMemoryMb(cluster).join(', ')} MiB`,
    `request to each guard's first refusal: p50 ${figures.flip_p50_ms} ms, p99 ${figures.flip_p99_ms} ms, max ${round(Math.max(...defined))} ms`,
    ...(worst === '' ? [] : [worst]),
  ]);
}

/** Check 2: kill -9 of a replica. */
async function replicaKilled(workers: ChildProcess[]): Promise<void> {
  const victim = cluster.replicas[0] as string;
  // A rule made on the replica about to die, acknowledged everywhere before it dies.
  const kept = await stop(victim, 'cluster-kept');
  const keptAcks = await enforcement(victim, kept.version, 10_000);
  const flip = ++flipNumber;
  const call = write('cluster-after-kill');
  await arm(workers, flip, call, 'deny');
  const killedAt = now();
  killReplicaNow(cluster, 1);
  // Straight to a surviving replica: through HAProxy, a request that first meets the dead one
  // waits its retry turn-around (up to 1 s), which is no part of the guards' failover.
  const rule = await stop(cluster.replicas[2] as string, 'cluster-after-kill');
  await watch(workers, call, rule.version, rule.at);
  const times = await timesOf(workers, flip, 20_000);
  const displaced = [...(await erredSince(workers, killedAt))];
  const back = displaced.map((index) => (times[index] as number) - killedAt);
  const notBack = back.filter(Number.isNaN).length;
  const p99 = percentile(
    back.filter((value) => !Number.isNaN(value)),
    99,
  );
  figures.failover_p99_ms = round(p99);
  const listed = await listRules();
  const ids = new Set(((listed.body.rules ?? []) as { id: string }[]).map((listedRule) => listedRule.id));
  const keptEverywhere = await guardsHaving(workers, kept.id);
  const state = await states(workers);
  const ok =
    displaced.length > 0 &&
    notBack === 0 &&
    p99 <= 2000 &&
    keptAcks.acknowledged === TOTAL &&
    ids.has(kept.id) &&
    ids.has(rule.id) &&
    keptEverywhere === TOTAL &&
    state.violations === 0;
  report('kill -9 of one replica', ok, [
    `${displaced.length} guards lost their replica; back on another (the next stop applied) p50 ${round(
      percentile(
        back.filter((value) => !Number.isNaN(value)),
        50,
      ),
    )} ms, p99 ${figures.failover_p99_ms} ms (≤ 2000), ${notBack} not back; the stop was committed ${round(rule.at - killedAt)} ms after the kill`,
    `a rule acknowledged ${keptAcks.acknowledged}/${TOTAL} on the killed replica: listed ${ids.has(kept.id)} (GET /v1/rules ${listed.status}), held by ${keptEverywhere}/${TOTAL} guards`,
    `calls allowed that a stop in force forbids: ${state.violations} ${state.violations > 0 ? JSON.stringify(state.examples.slice(0, 3)) : ''}`,
  ]);
  // Gone for good (and its pid file released) before it starts again.
  clusterCommand('replica-kill', '1', 'KILL');
  clusterCommand('replica-start', '1');
  await until(() => balancerSays(cluster, 'cp1', 'UP'), 10_000);
}

/** Check 3: PostgreSQL stopped for a few seconds and started again. */
async function postgresRestarted(workers: ChildProcess[]): Promise<void> {
  const before = await states(workers);
  const statuses = new Map<number, number>();
  let slowest = 0;
  clusterCommand('pg-stop');
  const outageEnds = now() + PG_OUTAGE_MS;
  let attempt = 0;
  let staleDuring = 0;
  while (now() < outageEnds) {
    const started = now();
    const answer = await api(
      cluster,
      lb,
      '/v1/rules',
      { scope: { tenant: `cluster-pg-${attempt++}-${RUN}` }, mode: 'read_only', reason: 'during the outage' },
      10_000,
    );
    slowest = Math.max(slowest, now() - started);
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    await sleep(200);
  }
  const during = await states(workers);
  staleDuring = during.stale;
  const kept = during.versions.every((version, index) => version === before.versions[index]);
  clusterCommand('pg-start');
  const restartedAt = now();
  const flip = ++flipNumber;
  const call = write('cluster-after-pg');
  await arm(workers, flip, call, 'deny');
  let rule: { id: string; version: number; at: number } | undefined;
  while (rule === undefined && now() - restartedAt < 30_000) {
    rule = await stop(lb, 'cluster-after-pg').catch(async () => {
      await sleep(100);
      return undefined;
    });
  }
  const committedAfter = now() - restartedAt;
  const times = rule === undefined ? [] : await timesOf(workers, flip, 20_000);
  const acks = rule === undefined ? { acknowledged: -1, total: -1 } : await enforcement(lb, rule.version, 10_000);
  const recovered = now();
  const connectedAfter = await connectedPerReplica(cluster);
  figures.pg_restart_recovery_s = round((recovered - restartedAt) / 1000, 2);
  const listed = await listRules();
  const ghosts = ((listed.body.rules ?? []) as { reason: string }[]).filter(
    (listedRule) => listedRule.reason === 'during the outage',
  );
  const after = await states(workers);
  const only503 = statuses.size === 1 && statuses.has(503);
  const ok =
    only503 &&
    ghosts.length === 0 &&
    kept &&
    rule !== undefined &&
    times.every((time) => !Number.isNaN(time)) &&
    acks.acknowledged === TOTAL &&
    after.violations === 0;
  report('PostgreSQL restarted', ok, [
    `flips during the ${PG_OUTAGE_MS / 1000} s outage: ${[...statuses].map(([status, n]) => `${n} × ${status === 0 ? 'no answer' : status}`).join(', ')}; slowest answer ${round(slowest)} ms; none recorded: ${ghosts.length === 0}`,
    `guards kept their state through it: ${kept}; stale at its end: ${staleDuring}/${TOTAL} (fail safe past ${STALE_AFTER_MS} ms)`,
    `from PostgreSQL back to a stop through the balancer committed: ${round(committedAfter / 1000, 2)} s; acknowledged ${acks.acknowledged}/${acks.total}: ${figures.pg_restart_recovery_s} s${acks.acknowledged === TOTAL ? '' : ` (behind: ${behind(acks)})`}`,
    `guards connected to each replica after it: ${connectedAfter.join(', ')}`,
    `calls allowed that a stop in force forbids: ${after.violations}`,
  ]);
}

/** Check 4: Redis (the idempotency keys) stopped and started. */
async function redisRestarted(workers: ChildProcess[], enforcerToken: string): Promise<void> {
  const probe = createGuard({
    url: cluster.replicas,
    token: enforcerToken,
    name: 'cluster-probe',
    staleAfterMs: STALE_AFTER_MS,
    onError: () => {},
  });
  const runs = { first: 0, second: 0 };
  const call = write('cluster-redis');
  const first = () => probe.execute(call, { n: 1 }, () => (runs.first += 1));
  const second = () => probe.execute(call, { n: 2 }, () => (runs.second += 1));
  try {
    await probe.ready();
    await first();
    await first();
    const dedupedBefore = runs.first === 1;
    clusterCommand('redis-stop');
    const flip = ++flipNumber;
    const flipCall = write('cluster-redis-flip');
    await arm(workers, flip, flipCall, 'deny');
    const rule = await stop(lb, 'cluster-redis-flip');
    const times = await timesOf(workers, flip, 20_000);
    const acks = await enforcement(lb, rule.version, 10_000);
    const refusal = await second().then(
      () => 'ran',
      (error: { code?: string }) => error.code ?? 'error',
    );
    const ranDuring = runs.second;
    clusterCommand('redis-start');
    const startedAt = now();
    let recoveredMs = Number.NaN;
    await until(
      async () => {
        const outcome = await second().then(
          () => true,
          () => false,
        );
        if (outcome) recoveredMs = now() - startedAt;
        return outcome;
      },
      15_000,
      200,
    );
    await second();
    await first();
    const state = await states(workers);
    const ok =
      state.violations === 0 &&
      dedupedBefore &&
      times.every((time) => !Number.isNaN(time)) &&
      acks.acknowledged === acks.total &&
      acks.total >= TOTAL &&
      refusal === 'unavailable' &&
      ranDuring === 0 &&
      runs.second === 1 &&
      runs.first === 1;
    report('Redis stopped and started', ok, [
      `a stop while Redis is down: decided by ${times.filter((time) => !Number.isNaN(time)).length}/${TOTAL} guards, API ${acks.acknowledged}/${acks.total}`,
      `a new write while Redis is down: refused (${refusal}), run ${ranDuring} times; after Redis is back it runs in ${round(recoveredMs)} ms`,
      `repeats after the restart: the write from before ran ${runs.first} time(s), the new one ${runs.second} (keys kept on disk)`,
      `calls allowed that a stop in force forbids: ${state.violations}`,
    ]);
  } finally {
    await probe.close();
  }
}

/** Check 5: one replica frozen (SIGSTOP), then thawed. */
async function replicaFrozen(workers: ChildProcess[]): Promise<void> {
  const frozen = cluster.replicas[1] as string;
  const flip = ++flipNumber;
  const call = write('cluster-freeze');
  await arm(workers, flip, call, 'deny');
  const connectedBefore = await connectedPerReplica(cluster);
  const frozenAt = now();
  clusterCommand('replica-kill', '2', 'STOP');
  const markedDown = until(() => balancerSays(cluster, 'cp2', 'DOWN'), 20_000);
  // Straight to a live replica, as in the kill: HAProxy takes a while to give up on a frozen one.
  const rule = await stop(cluster.replicas[2] as string, 'cluster-freeze');
  await watch(workers, call, rule.version, rule.at);
  // Every answer of the API while the guards move: none may count more acknowledgements than
  // guards have applied the stop (the frozen replica's old view, or its enforcers' records).
  const answers = pollEnforcement(lb, rule.version);
  const times = await timesOf(workers, flip, 30_000);
  await sleep(1000);
  const seen = await answers.stop();
  const displaced = [...(await erredSince(workers, frozenAt))];
  const back = displaced.map((index) => (times[index] as number) - frozenAt);
  const overcounts = seen.filter((answer) => answer.acknowledged > appliedBy(times, answer.at));
  const earlyComplete = seen.filter(
    (answer) => answer.acknowledged === answer.total && answer.total > 0 && appliedBy(times, answer.at) < TOTAL,
  );

  // Frozen until HAProxy has taken it out (3 failed checks, each allowed 3 s: about 10 s), which
  // takes longer than the guards' move.
  const taken = await markedDown;
  // Thawed, the replica's view is old until it catches up: its answers must not overcount either.
  clusterCommand('replica-kill', '2', 'CONT');
  const thawFlip = ++flipNumber;
  await arm(workers, thawFlip, write('cluster-thaw'), 'deny');
  const thawRule = await stop(cluster.replicas[2] as string, 'cluster-thaw');
  const thawAnswers = pollEnforcement(frozen, thawRule.version);
  const thawTimes = await timesOf(workers, thawFlip, 20_000);
  await sleep(1000);
  const thawSeen = await thawAnswers.stop();
  const thawOvercounts = thawSeen.filter((answer) => answer.acknowledged > appliedBy(thawTimes, answer.at));
  const state = await states(workers);
  const defined = back.filter((value) => !Number.isNaN(value));
  const ok =
    taken &&
    displaced.length > 0 &&
    defined.length === back.length &&
    overcounts.length === 0 &&
    thawOvercounts.length === 0 &&
    state.violations === 0;
  report('one replica frozen (SIGSTOP)', ok, [
    `guards connected to each replica before the freeze: ${connectedBefore.join(', ')}`,
    `HAProxy took it out: ${taken}; ${displaced.length} guards heard nothing and moved; they applied the stop made meanwhile p50 ${round(percentile(defined, 50))} ms, p99 ${round(percentile(defined, 99))} ms after the freeze (staleness bound ${STALE_AFTER_MS} ms), ${back.length - defined.length} not`,
    `${seen.length} enforcement answers through the balancer, ${overcounts.length} counting more acknowledgements than guards had applied`,
    `  (${earlyComplete.length} said complete while guards were still moving, counting ${earlyComplete[0]?.total ?? '-'} enforcers of ${TOTAL}: the moving ones are in no replica's count)`,
    `thawed: ${thawSeen.length} answers of the thawed replica, ${thawOvercounts.length} overcounting`,
    `calls allowed that a stop in force forbids: ${state.violations} ${state.violations > 0 ? JSON.stringify(state.examples.slice(0, 2)) : ''}`,
  ]);
}

async function main(): Promise<void> {
  const created = await api(cluster, lb, '/v1/tokens', { name: `cluster-guards-${Date.now()}`, role: 'enforcer' });
  if (created.status !== 201) throw new Error(`token: ${created.status} ${JSON.stringify(created.body)}`);
  const token = created.body.token as string;
  const startedAt = now();
  const workers = await startWorkers(cluster, token, PROCESSES, PER_PROCESS, STALE_AFTER_MS);
  process.stdout.write(
    `cluster: ${cluster.replicas.length} replicas behind HAProxy, ${TOTAL} guards in ${PROCESSES} processes, ready in ${round((now() - startedAt) / 1000)} s\n`,
  );
  try {
    // One stop in force from here to the end: no guard may ever allow its call again.
    const standing = await stop(lb, 'cluster-standing');
    await watch(workers, write('cluster-standing'), standing.version, standing.at);
    await check('flips through the load balancer', workers, () => flipsThroughTheBalancer(workers));
    await check('kill -9 of one replica', workers, () => replicaKilled(workers));
    await check('PostgreSQL restarted', workers, () => postgresRestarted(workers));
    await check('Redis stopped and started', workers, () => redisRestarted(workers, token));
    await check('one replica frozen (SIGSTOP)', workers, () => replicaFrozen(workers));
  } finally {
    for (const worker of workers) worker.send({ close: true });
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
  }
  // The figures of record are those at full scale; a smaller run (ESTOP_CLUSTER_ENFORCERS) only prints.
  if (process.env.ESTOP_CLUSTER_ENFORCERS === undefined)
    writeResults(new URL('../../bench/results.json', import.meta.url), {
      cluster: {
        replicas: cluster.replicas.length,
        enforcers: TOTAL,
        flip_p50_ms: figures.flip_p50_ms ?? Number.NaN,
        flip_p99_ms: figures.flip_p99_ms ?? Number.NaN,
        failover_p99_ms: figures.failover_p99_ms ?? Number.NaN,
        pg_restart_recovery_s: figures.pg_restart_recovery_s ?? Number.NaN,
      },
    });
  process.stdout.write(`cluster: ${passed} passed, ${failed} failed\n`);
  // Whatever a broken check left open (a guard, a request), the test ends here.
  process.exit(failed === 0 ? 0 : 1);
}

await main();
