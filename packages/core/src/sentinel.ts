import type { Actor } from './actor.js';
import type { Mode } from './modes.js';
import type { Scope } from './scope.js';
import { MICRO_USD_PER_USD, toMicroUsd } from './run-budget.js';
import { compileToolGlob, matchTool, type ToolMatcher } from './tool-glob.js';

/**
 * What a sentinel counts, as the control plane hears of it: `writes` run (a first claim of an
 * idempotency key), `duplicates` suppressed (identical writes repeated), `failures` (writes
 * that failed and gave their key back), and `spend` (dollars runs report having spent).
 */
export const SENTINEL_SIGNALS = ['writes', 'duplicates', 'failures', 'spend'] as const;
export type SentinelSignal = (typeof SENTINEL_SIGNALS)[number];

/** Whose calls a sentinel counts together, and so what its trip stops. */
export const SENTINEL_GROUPS = ['tenant', 'agent', 'run'] as const;
export type SentinelGroup = (typeof SENTINEL_GROUPS)[number];

/** One automatic trip: when `threshold` `signal`s of `tool` for one `per` fall within `windowMs`, stop it. */
export interface SentinelSpec {
  name: string;
  signal: SentinelSignal;
  /** A tool glob; absent, every tool. When given, the trip stops only matching tools. */
  tool?: string | undefined;
  per: SentinelGroup;
  /** A count of signals; for `spend`, dollars. */
  threshold: number;
  windowMs: number;
  /** The mode of the rule a trip creates. */
  mode: Mode;
  /** The trip lifts itself after this long; absent, it stands until an operator restores it. */
  expiresInMs?: number | undefined;
  /**
   * False for a sentinel in shadow: it counts as one that enforces, and records what it would
   * have done (`sentinel-would-trip`) instead of stopping anything. Absent, it enforces.
   */
  enforce?: boolean | undefined;
}

/** True unless the sentinel runs in shadow (`enforce: false`). */
export function sentinelEnforces(spec: SentinelSpec): boolean {
  return spec.enforce !== false;
}

/**
 * The counter's key of the group a trip of `spec` on `scope` counts in: the sentinel's name and
 * the scope's tenant, agent and run. A rule a sentinel made has the scope of its group.
 */
export function sentinelGroupKey(spec: Pick<SentinelSpec, 'name'>, scope: Scope): string {
  return `${spec.name}\n${scope.tenant ?? ''}\n${scope.agent ?? ''}\n${scope.run ?? ''}`;
}

/** A call (or, for spend, a run) as the control plane hears of it. */
export interface ObservedCall {
  tenant: string;
  agent?: string | undefined;
  run?: string | undefined;
  /** Absent for spend, which is a run's, not a tool's. */
  tool?: string | undefined;
}

/** The amount a sentinel's threshold is counted in: micro-dollars for spend, else signals. */
export function sentinelLimit(spec: SentinelSpec): number {
  return spec.signal === 'spend' ? toMicroUsd(spec.threshold) : spec.threshold;
}

const SIGNAL_WORDS: Record<Exclude<SentinelSignal, 'spend'>, string> = {
  writes: 'writes',
  duplicates: 'duplicate writes',
  failures: 'failed writes',
};

/**
 * What a sentinel counts, `amount` of it in the units of `sentinelLimit`, in words:
 * `3 writes of email.*`, `$12.40 spent`.
 */
export function sentinelCountText(spec: SentinelSpec, amount: number): string {
  if (spec.signal === 'spend') return `$${(amount / MICRO_USD_PER_USD).toFixed(2)} spent`;
  return `${amount} ${SIGNAL_WORDS[spec.signal]}${spec.tool === undefined ? '' : ` of ${spec.tool}`}`;
}

/** The actor of a sentinel's trips: `sentinel:<name>`, estop itself. */
export function sentinelActor(name: string): Actor {
  return { id: `sentinel:${name}`, kind: 'system' };
}

/**
 * The scope a sentinel's trip for this call stops: the call's tenant, narrowed to its agent or
 * run per `per`, and to the sentinel's tool glob when it names one. Undefined when the
 * sentinel does not count the call (another tool, or no agent or run to group by).
 */
function sentinelScope(spec: SentinelSpec, matcher: ToolMatcher, call: ObservedCall): Scope | undefined {
  if (spec.tool !== undefined && (call.tool === undefined || !matchTool(matcher, call.tool))) return undefined;
  const scope: Scope = { tenant: call.tenant };
  if (spec.per === 'agent') {
    if (call.agent === undefined) return undefined;
    scope.agent = call.agent;
  } else if (spec.per === 'run') {
    if (call.run === undefined) return undefined;
    scope.run = call.run;
  }
  if (spec.tool !== undefined) scope.tool = spec.tool;
  return scope;
}

/** A call counted by one sentinel: the scope its trip would stop, and the group it is counted in. */
export interface SentinelGroupOf {
  spec: SentinelSpec;
  scope: Scope;
  /** The counter's key: the sentinel's name and the scope's tenant, agent and run. */
  group: string;
}

/** The sentinels, their tool globs compiled once: which of them count a signal of a call. */
export class SentinelSpecs {
  readonly #specs: readonly { spec: SentinelSpec; matcher: ToolMatcher }[];

  constructor(specs: readonly SentinelSpec[]) {
    this.#specs = specs.map((spec) => ({ spec, matcher: compileToolGlob(spec.tool) }));
  }

  /** The groups in which `signal` of `call` is counted, one per sentinel that counts it. */
  groupsOf(signal: SentinelSignal, call: ObservedCall): SentinelGroupOf[] {
    const found: SentinelGroupOf[] = [];
    for (const { spec, matcher } of this.#specs) {
      if (spec.signal !== signal) continue;
      const scope = sentinelScope(spec, matcher, call);
      if (scope === undefined) continue;
      found.push({ spec, scope, group: sentinelGroupKey(spec, scope) });
    }
    return found;
  }
}
