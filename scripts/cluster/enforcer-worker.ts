// One process of SDK guards for the cluster test, each given every replica's URL (so each starts at
// a random one). It records when each guard first decides what the parent expects, which guards
// lost their replica, and every decision that allowed a call a stop in force forbids: sampled for
// every guard every 5 ms and at each change it applies.
import { performance } from 'node:perf_hooks';
import { createGuard, type Call, type Guard } from '@estop/sdk';

interface Arm {
  flip: number;
  call: Call;
  expect: 'allow' | 'deny';
}

/** A stop in force: from `version`, or at the latest `boundMs` after `since`, no guard may allow `call`. */
interface Watch {
  call: Call;
  version: number;
  since: number;
  boundMs: number;
}

interface Violation {
  guard: string;
  version: number;
  stale: boolean;
  at: number;
  reason: string;
}

const [urls, token, countText, prefix, staleText] = process.argv.slice(2) as [string, string, string, string, string];
const count = Number(countText);
const now = (): number => performance.timeOrigin + performance.now();
const guards: Guard[] = [];
const lastErrorAt = new Float64Array(count).fill(Number.NaN);
// Guards start in batches, each once the one before has its snapshot, as workers of a fleet
// start over a while rather than in one millisecond.
const BATCH = 100;
for (let first = 0; first < count; first += BATCH) {
  const batch: Guard[] = [];
  for (let index = first; index < Math.min(count, first + BATCH); index++) {
    batch.push(
      createGuard({
        url: urls.split(','),
        token,
        name: `${prefix}-${index}`,
        staleAfterMs: Number(staleText),
        // On a busy machine a snapshot may take a while; the guard keeps trying, and so do we.
        readyTimeoutMs: 120_000,
        onError: () => {
          lastErrorAt[index] = now();
        },
      }),
    );
  }
  guards.push(...batch);
  await Promise.all(batch.map((guard) => guard.ready()));
}

let armed: Arm | undefined;
let times: number[] = [];
let seen = 0;
const watches: Watch[] = [];
const violations: Violation[] = [];
let violationCount = 0;
let samples = 0;

function check(index: number): void {
  if (armed === undefined || !Number.isNaN(times[index])) return;
  if ((guards[index] as Guard).decide(armed.call).outcome !== armed.expect) return;
  times[index] = now();
  seen += 1;
  if (seen === count) {
    process.send?.({ done: armed.flip, times });
    armed = undefined;
  }
}

function sample(index: number, at: number): void {
  for (const watch of watches) sampleOne(index, at, watch);
}

function sampleOne(index: number, at: number, watch: Watch): void {
  const guard = guards[index] as Guard;
  const decision = guard.decide(watch.call);
  if (decision.outcome !== 'allow') return;
  const applied = guard.version >= watch.version;
  if (!applied && at <= watch.since + watch.boundMs) return;
  violationCount += 1;
  if (violations.length < 10) {
    violations.push({
      guard: guard.id,
      version: guard.version,
      stale: guard.stale,
      at,
      reason: applied ? 'allowed after applying the stop' : 'allowed past the staleness bound',
    });
  }
}

// Every guard is also sampled at each change it applies, the moments a regression would show;
// between changes only time moves a decision (the staleness bound), which 5 ms resolves well
// enough while leaving the machine's cores to the replicas under test.
const SAMPLE_MS = 5;

function sampleAll(): void {
  if (watches.length > 0) {
    const at = now();
    for (let index = 0; index < count; index++) sample(index, at);
    samples += 1;
  }
  setTimeout(sampleAll, SAMPLE_MS);
}
sampleAll();

guards.forEach((guard, index) =>
  guard.onChange(() => {
    check(index);
    sample(index, now());
  }),
);

interface Message {
  arm?: Arm;
  collect?: number;
  watch?: Watch | null;
  errorsSince?: number;
  haveRule?: string;
  state?: true;
  close?: true;
}

process.on('message', (message: Message) => {
  if (message.arm !== undefined) {
    armed = message.arm;
    times = new Array<number>(count).fill(Number.NaN);
    seen = 0;
    for (let index = 0; index < count; index++) check(index);
    process.send?.({ armed: message.arm.flip });
  } else if (message.collect !== undefined) {
    // The times so far, NaN for guards that have not decided as expected yet.
    process.send?.({ collected: message.collect, times });
  } else if (message.watch !== undefined) {
    // A stop to watch from now on; null: the stops watched are about to be lifted.
    if (message.watch === null) watches.length = 0;
    else watches.push(message.watch);
    guards.forEach((_, index) => sample(index, now()));
    process.send?.({ watching: message.watch?.version ?? null });
  } else if (message.errorsSince !== undefined) {
    const since = message.errorsSince;
    const indexes = [...lastErrorAt.keys()].filter((index) => (lastErrorAt[index] as number) >= since);
    process.send?.({ erred: since, indexes });
  } else if (message.haveRule !== undefined) {
    const id = message.haveRule;
    const having = guards.filter((guard) => guard.rules.some((rule) => rule.id === id)).length;
    process.send?.({ rule: id, having });
  } else if (message.state === true) {
    process.send?.({
      report: true,
      stale: guards.filter((guard) => guard.stale).length,
      versions: guards.map((guard) => guard.version),
      violationCount,
      violations,
      samples,
    });
  } else if (message.close === true) {
    void Promise.all(guards.map((guard) => guard.close())).then(() => process.exit(0));
  }
});
// The test that started this process is gone: so is this process.
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
