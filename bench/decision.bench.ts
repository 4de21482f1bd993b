// How long decide() takes, and whether that depends on how many tenants and rules there are.
//
// Calls are timed in batches: a single decide takes less time than reading the clock, so each
// sample is one batch's duration divided by its size. p50 and p99 are therefore percentiles
// of per-batch averages, not of individual calls; a pause (GC, preemption) shows up as a
// slow batch. Decisions are taken at a fixed `nowMs`, as a caller holding a clock reading
// would; `p50_ns_default_clock` shows the cost with decide's default `Date.now()`.
import { Session } from 'node:inspector/promises';
import { buildRuleIndex, decide, MODES, type Call, type Effect, type Rule, type RuleIndex } from '@estop/core';
import { atMost, median, percentile } from './stats.js';

const TENANTS = 100_000;
const RULES = 10_000;
const BATCH = 1_000;
const ROUNDS = 20;
const BATCHES_PER_ROUND = 500;
const CALLS = 1 << 16;
const NOW = Date.parse('2030-06-01T00:00:00.000Z');

/** A small seeded generator (mulberry32), so every run builds the same world. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

const SERVICES = ['email', 'sms', 'browser', 'db', 'payments', 'files', 'calendar', 'crm', 'github', 'slack'];
const ACTIONS = ['read', 'list', 'search', 'send', 'write', 'delete', 'update'];
const TOOLS = SERVICES.flatMap((service) => ACTIONS.map((action) => `${service}.${action}`));
const READ_ACTIONS = new Set(['read', 'list', 'search']);

function toolEffects(): Record<string, Effect> {
  // Most tools are known to the control plane; a few are left for the call to describe or default.
  const effects: Record<string, Effect> = {};
  for (const tool of TOOLS.slice(0, -5))
    effects[tool] = READ_ACTIONS.has(tool.split('.')[1] as string) ? 'read' : 'write';
  return effects;
}

function toolGlob(next: () => number): string {
  const roll = next();
  if (roll < 0.4) return pick(next, TOOLS);
  if (roll < 0.7) return `${pick(next, SERVICES)}.*`;
  if (roll < 0.9) return `*.${pick(next, ACTIONS)}`;
  return `${pick(next, SERVICES)}.?e*`;
}

interface World {
  readonly index: RuleIndex;
  readonly calls: readonly Call[];
}

/**
 * How calls spread over tenants. `zipf`: popularity falls as 1/rank, as traffic across
 * customers usually does, and tenants with rules are half the top ranks, so about half the
 * calls meet a rule. `few`: the same over the 20 most popular tenants only, as an SDK guard
 * serving a handful of tenants sees. `uniform`: each call picks a tenant at random, half of
 * them among the tenants with rules: the worst case for the CPU caches.
 */
type Traffic = 'zipf' | 'few' | 'uniform';

/** Draws ranks 0..count-1 with probability proportional to 1/(rank+1). */
function zipf(next: () => number, count: number): () => number {
  const cumulative = new Float64Array(count);
  let total = 0;
  for (let rank = 0; rank < count; rank++) cumulative[rank] = total += 1 / (rank + 1);
  return () => {
    const target = next() * total;
    let low = 0;
    let high = count - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] as number) < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

/**
 * Builds `ruleCount` rules over `tenantCount` tenants, and calls to decide. About 1% of the
 * rules name no tenant: two global ones (expired, as lingering incidents are until lifted),
 * the rest on a tool alone, an agent or a run. The others name one of a tenth of the tenants,
 * a third of them on a tool glob. Modes are drawn evenly; a few rules carry an expiry, past
 * or future. The other nine tenths of the tenants appear only in calls. Calls carry fresh
 * strings, as ones parsed from a request would, rather than the index's own key objects.
 */
function buildWorld(tenantCount: number, ruleCount: number, seed: number, traffic: Traffic): World {
  const next = random(seed);
  // Tenant ids by popularity rank; those with rules take the even ranks of the top fifth.
  const ruledCount = Math.max(1, Math.ceil(tenantCount / 10));
  const ruled = Array.from({ length: ruledCount }, (_, position) => position * 2);
  const agentCount = Math.max(2, tenantCount / 100);
  const runCount = Math.max(4, tenantCount / 10);
  // At least a few, so that even a small index has every kind of bucket to look in.
  const unscoped = Math.max(4, Math.floor(ruleCount / 100));
  const rules: Rule[] = [];
  for (let position = 0; position < ruleCount; position++) {
    const scope: Rule['scope'] = {};
    let expiresAt: string | undefined;
    const expiry = next();
    if (expiry < 0.05) expiresAt = '2030-05-31T00:00:00.000Z';
    if (expiry > 0.9) expiresAt = '2030-07-01T00:00:00.000Z';
    if (position < 2 && position < unscoped) {
      expiresAt = '2030-05-31T00:00:00.000Z';
    } else if (position < unscoped) {
      const kind = next();
      if (kind < 0.35) scope.agent = `agent-${Math.floor(next() * agentCount)}`;
      else if (kind < 0.7) scope.run = `run-${Math.floor(next() * runCount)}`;
      if (kind >= 0.7 || next() < 0.5) scope.tool = toolGlob(next);
    } else {
      scope.tenant = `tenant-${pick(next, ruled)}`;
      if (next() < 0.33) scope.tool = toolGlob(next);
    }
    rules.push({
      id: `rule-${position}`,
      scope,
      mode: pick(next, MODES),
      reason: `incident ${position}`,
      actor: { id: 'oncall', kind: 'human' },
      createdAt: '2030-05-01T00:00:00.000Z',
      cancelInFlight: false,
      ...(expiresAt === undefined ? {} : { expiresAt }),
    });
  }
  const index = buildRuleIndex({ version: 1, rules, tools: toolEffects() });
  const tenant =
    traffic === 'uniform'
      ? () => (next() < 0.5 ? pick(next, ruled) : Math.floor(next() * tenantCount))
      : zipf(next, traffic === 'few' ? Math.min(20, tenantCount) : tenantCount);
  // Every call has the same shape (all members present) so the loop sees one hidden class.
  const calls: Call[] = Array.from({ length: CALLS }, () => {
    const tool = next() < 0.98 ? pick(next, TOOLS) : `unknown.tool-${Math.floor(next() * 10)}`;
    return {
      tenant: `tenant-${tenant()}`,
      agent: next() < 0.8 ? `agent-${Math.floor(next() * agentCount)}` : undefined,
      run: next() < 0.8 ? `run-${Math.floor(next() * runCount)}` : undefined,
      tool,
      effect: next() < 0.5 ? (READ_ACTIONS.has(tool.split('.')[1] as string) ? 'read' : 'write') : undefined,
    };
  });
  return { index, calls };
}

// Results are folded into this, so V8 cannot drop the calls as dead code.
let sink = 0;
let cursor = 0;

/** Times `batches` batches of BATCH decides, returning nanoseconds per decide for each. */
function timeBatches(world: World, batches: number, samples: Float64Array, offset: number, clock: boolean): void {
  const { index, calls } = world;
  const mask = calls.length - 1;
  for (let batch = 0; batch < batches; batch++) {
    const start = process.hrtime.bigint();
    if (clock) {
      for (let step = 0; step < BATCH; step++) {
        sink += decide(index, calls[cursor] as Call).outcome.length;
        cursor = (cursor + 1) & mask;
      }
    } else {
      for (let step = 0; step < BATCH; step++) {
        sink += decide(index, calls[cursor] as Call, NOW).outcome.length;
        cursor = (cursor + 1) & mask;
      }
    }
    samples[offset + batch] = Number(process.hrtime.bigint() - start) / BATCH;
  }
}

/** Decides `count` calls untimed. */
function decideMany(world: World, count: number): void {
  const { index, calls } = world;
  const mask = calls.length - 1;
  for (let step = 0; step < count; step++) {
    sink += decide(index, calls[cursor] as Call, NOW).outcome.length;
    cursor = (cursor + 1) & mask;
  }
}

interface Latency {
  readonly p50: number;
  readonly p99: number;
}

/**
 * Measures both worlds in alternating rounds, so that drift in the machine (frequency,
 * other load) falls on both alike rather than on whichever ran second.
 */
function measure(worlds: readonly World[], clock: boolean): Latency[] {
  const samples = worlds.map(() => new Float64Array(ROUNDS * BATCHES_PER_ROUND));
  for (const world of worlds) timeBatches(world, 200, new Float64Array(200), 0, clock);
  for (let round = 0; round < ROUNDS; round++) {
    worlds.forEach((world, position) => {
      timeBatches(world, BATCHES_PER_ROUND, samples[position] as Float64Array, round * BATCHES_PER_ROUND, clock);
    });
  }
  return samples.map((perBatch) => ({ p50: median(perBatch), p99: percentile(perBatch, 99) }));
}

interface ProfileNode {
  readonly callFrame: { readonly functionName: string };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

/** Bytes sampled in `node` and below, counting only frames under a function named `root`. */
function bytesUnder(node: ProfileNode, root: string, inside = false): number {
  const here = inside || node.callFrame.functionName === root;
  const own = here ? node.selfSize : 0;
  return node.children.reduce((total, child) => total + bytesUnder(child, root, here), own);
}

/**
 * Bytes allocated per decide, from V8's sampling heap profiler over a million calls after
 * warm-up. Objects a collection already freed are counted too, so garbage cannot hide; a
 * heap-size delta would not see what a scavenge freed mid-loop, and needs --expose-gc.
 */
async function allocation(world: World): Promise<number> {
  const count = 1_000_000;
  decideMany(world, count);
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 64,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    decideMany(world, count);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    return bytesUnder(profile.head as ProfileNode, decideMany.name) / count;
  } finally {
    session.disconnect();
  }
}

/** Decision latency at 100,000 tenants and 10,000 rules, against a 10-tenant, 10-rule index. */
export async function run(): Promise<Record<string, unknown>> {
  const large = buildWorld(TENANTS, RULES, 1, 'zipf');
  const small = buildWorld(10, 10, 2, 'zipf');
  const few = buildWorld(TENANTS, RULES, 1, 'few');
  const spread = buildWorld(TENANTS, RULES, 1, 'uniform');
  const [largeLatency, smallLatency, fewLatency] = measure([large, small, few], false) as [Latency, Latency, Latency];
  const [spreadLatency] = measure([spread], false) as [Latency];
  const [largeWithClock] = measure([large], true) as [Latency];
  const heap = await allocation(large);
  const ratio = largeLatency.p99 / smallLatency.p99;
  if (sink < 0) console.log('unreachable');
  const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
  return {
    tenants: TENANTS,
    rules: RULES,
    traffic: 'zipf over tenants, half the calls to tenants with rules',
    decides_timed: ROUNDS * BATCHES_PER_ROUND * BATCH,
    batch: BATCH,
    p50_ns: round(largeLatency.p50),
    p99_ns: round(largeLatency.p99),
    ops_per_s: Math.round(1e9 / largeLatency.p50),
    small_p50_ns: round(smallLatency.p50),
    small_p99_ns: round(smallLatency.p99),
    p99_ratio_100k_vs_10: round(ratio, 3),
    few_tenants_p50_ns: round(fewLatency.p50),
    few_tenants_p99_ns: round(fewLatency.p99),
    p99_ratio_few_tenants_100k_vs_10: round(fewLatency.p99 / smallLatency.p99, 3),
    uniform_p50_ns: round(spreadLatency.p50),
    uniform_p99_ns: round(spreadLatency.p99),
    p50_ns_default_clock: round(largeWithClock.p50),
    heap_bytes_per_decision: round(heap, 3),
    goals: {
      p50_ns: atMost(largeLatency.p50, 200, ' ns'),
      p99_ns: atMost(largeLatency.p99, 2000, ' ns'),
      p99_ratio_100k_vs_10: atMost(ratio, 1.2),
      heap_bytes_per_decision: atMost(heap, 1, ' B'),
    },
  };
}
