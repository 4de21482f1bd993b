import {
  MICRO_USD_PER_USD,
  sentinelEnforces,
  sentinelGroupKey,
  sentinelLimit,
  type Clock,
  type Rule,
  type SentinelCounter,
  type SentinelSpec,
} from '@estop/core';

/** Where a sentinel's trip stands now: what its window holds against its threshold. */
export interface TripCause {
  sentinel: string;
  /** What the window holds now, in the threshold's units (signals, or dollars for spend). */
  count: number;
  threshold: number;
  windowMs: number;
  /** True while the window is still at or over the threshold: the cause continues. */
  hot: boolean;
}

/**
 * The windows of enforcing sentinels as they are, trips or not: a trip starts its group's count
 * again from zero, but lifting the trip asks whether the signals that caused it, before the trip
 * and since, still reach the threshold within the window.
 */
export interface SentinelHeat {
  /** Adds `amount` (in the units of `sentinelLimit`) to the lasting window of `group`. */
  add(spec: SentinelSpec, group: string, nowMs: number, amount: number): Promise<void>;
  /** The cause of a rule an enforcing sentinel made, as it stands now; undefined for any other rule. */
  causeOf(rule: Rule): Promise<TripCause | undefined>;
}

const HEAT_PREFIX = 'heat\n';

/** Keeps the lasting windows in the sentinels' own counter (memory, or Redis for many replicas). */
export function createSentinelHeat(deps: {
  specs: readonly SentinelSpec[];
  counter: SentinelCounter;
  clock: Clock;
}): SentinelHeat {
  const byActor = new Map(deps.specs.filter(sentinelEnforces).map((spec) => [`sentinel:${spec.name}`, spec]));
  return {
    async add(spec, group, nowMs, amount) {
      await deps.counter.add(HEAT_PREFIX + group, nowMs, spec.windowMs, amount, sentinelLimit(spec));
    },
    async causeOf(rule) {
      const spec = byActor.get(rule.actor.id);
      if (spec === undefined || rule.actor.kind !== 'system') return undefined;
      const sum = await deps.counter.peek(
        HEAT_PREFIX + sentinelGroupKey(spec, rule.scope),
        deps.clock.now(),
        spec.windowMs,
      );
      return {
        sentinel: spec.name,
        count: spec.signal === 'spend' ? sum / MICRO_USD_PER_USD : sum,
        threshold: spec.threshold,
        windowMs: spec.windowMs,
        hot: sum >= sentinelLimit(spec),
      };
    },
  };
}
