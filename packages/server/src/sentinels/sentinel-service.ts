import {
  describeScope,
  durationText,
  MICRO_USD_PER_USD,
  sentinelActor,
  sentinelCountText,
  sentinelEnforces,
  sentinelLimit,
  SentinelSpecs,
  type AuditDraft,
  type Clock,
  type ObservedCall,
  type Scope,
  type SentinelCounter,
  type SentinelGroupOf,
  type SentinelSignal,
  type SentinelSpec,
} from '@estop/core';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { Metrics } from '../http/metrics.js';
import type { Logger } from '../logger.js';
import type { ChangeHub } from '../stream/change-hub.js';
import type { RuleService } from '../rules/rule-service.js';
import type { SentinelHeat } from './sentinel-heat.js';
import type { SentinelObservations } from './sentinel-observations.js';

/** Where the control plane tells the sentinels what it hears of write calls and runs' spend. */
export interface SentinelObserver {
  /** Counts one `signal` of `call`; `amount` is 1 but for spend (micro-dollars). */
  observe(signal: SentinelSignal, call: ObservedCall, amount?: number): void;
}

function sameScope(left: Scope, right: Scope): boolean {
  return (
    left.tenant === right.tenant && left.agent === right.agent && left.run === right.run && left.tool === right.tool
  );
}

/**
 * The sentinels: automatic trips. Each write the control plane hears of (claimed, suppressed
 * as a duplicate, or failed) is counted in its group, and each rise in a run's spend summed; a group that reaches a sentinel's
 * threshold within its window is reset and stopped by a rule whose actor is `sentinel:<name>`,
 * unless a rule of that sentinel already stops that scope. The counter decides who trips:
 * in memory, this replica; in Redis, whichever replica resets the group first.
 *
 * A sentinel in shadow (`enforce: false`) counts and resets alike, but where it would trip it
 * appends `sentinel-would-trip` instead, once per window: as an enforcing sentinel's standing rule
 * makes no second trip, a group that would-tripped stays quiet here for one window.
 */
export class SentinelService implements SentinelObserver {
  readonly #specs: SentinelSpecs;
  readonly #counter: SentinelCounter;
  readonly #rules: RuleService;
  readonly #hub: ChangeHub;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #heat: SentinelHeat;
  readonly #observations: SentinelObservations;
  readonly #audit: AuditWriter;
  readonly #metrics: Pick<Metrics, 'sentinelTrips'>;
  readonly #audited: () => void;
  /** Trips being committed here, so that a burst trips once. */
  readonly #tripping = new Set<string>();
  /** Groups of shadow sentinels that would-tripped, until when they stay quiet. */
  readonly #quiet = new Map<string, number>();
  readonly #pending = new Set<Promise<void>>();

  constructor(deps: {
    specs: readonly SentinelSpec[];
    counter: SentinelCounter;
    rules: RuleService;
    hub: ChangeHub;
    clock: Clock;
    logger: Logger;
    heat: SentinelHeat;
    observations: SentinelObservations;
    audit: AuditWriter;
    metrics: Pick<Metrics, 'sentinelTrips'>;
    /** Called after a would-trip is in the audit log (operator views refresh). */
    audited?: () => void;
  }) {
    this.#specs = new SentinelSpecs(deps.specs);
    this.#counter = deps.counter;
    this.#rules = deps.rules;
    this.#hub = deps.hub;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#heat = deps.heat;
    this.#observations = deps.observations;
    this.#audit = deps.audit;
    this.#metrics = deps.metrics;
    this.#audited = deps.audited ?? (() => {});
  }

  /** Counts the signal in the background: a claim never waits for the sentinels. */
  observe(signal: SentinelSignal, call: ObservedCall, amount = 1): void {
    if (amount <= 0) return;
    const nowMs = this.#clock.now();
    for (const found of this.#specs.groupsOf(signal, call)) {
      const counted = this.#count(found, nowMs, amount).catch((error: unknown) =>
        this.#logger.error('sentinel count failed', { sentinel: found.spec.name, error: String(error) }),
      );
      this.#pending.add(counted);
      void counted.finally(() => this.#pending.delete(counted));
    }
  }

  /** Forgets quiet groups of a counter that keeps them in memory; called on a timer. */
  prune(): void {
    const nowMs = this.#clock.now();
    this.#counter.prune?.(nowMs);
    for (const [group, until] of this.#quiet) if (until <= nowMs) this.#quiet.delete(group);
  }

  /** Waits for counts and trips under way (for a clean close). */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #count({ spec, scope, group }: SentinelGroupOf, nowMs: number, amount: number): Promise<void> {
    const limit = sentinelLimit(spec);
    const enforcing = sentinelEnforces(spec);
    // An enforcing sentinel also counts into a window that its trips do not reset, which a lift reads.
    const [sum] = await Promise.all([
      this.#counter.add(group, nowMs, spec.windowMs, amount, limit),
      enforcing ? this.#heat.add(spec, group, nowMs, amount) : undefined,
    ]);
    this.#observations.counted(spec, sum, nowMs);
    if (sum < limit || this.#tripping.has(group)) return;
    if (!enforcing) {
      await this.#wouldTrip({ spec, scope, group }, nowMs, sum);
      return;
    }
    const actor = sentinelActor(spec.name);
    const standing = this.#hub
      .snapshot()
      .rules.some((rule) => rule.actor.id === actor.id && sameScope(rule.scope, scope));
    if (standing) {
      await this.#counter.reset(group);
      return;
    }
    this.#tripping.add(group);
    try {
      if (!(await this.#counter.reset(group))) return; // another replica trips it
      const reason = `sentinel ${spec.name}: ${sentinelCountText(spec, sum)} for ${describeScope({ ...scope, tool: undefined })} within ${durationText(spec.windowMs)}`;
      const { rule } = await this.#rules.createAs(
        actor,
        { scope, mode: spec.mode, reason, expiresIn: spec.expiresInMs, cancelInFlight: false },
        tripData(spec, sum),
      );
      this.#observations.tripped(spec.name);
      this.#metrics.sentinelTrips.inc({ sentinel: spec.name, outcome: 'tripped' });
      this.#logger.info('sentinel tripped', { sentinel: spec.name, rule: rule.id, scope: describeScope(scope), sum });
    } finally {
      this.#tripping.delete(group);
    }
  }

  /** A shadow sentinel's crossing: recorded once per window per group, stopping nothing. */
  async #wouldTrip({ spec, scope, group }: SentinelGroupOf, nowMs: number, sum: number): Promise<void> {
    const quietUntil = this.#quiet.get(group);
    if (quietUntil !== undefined && nowMs < quietUntil) {
      await this.#counter.reset(group);
      return;
    }
    this.#tripping.add(group);
    try {
      if (!(await this.#counter.reset(group))) return; // another replica records it
      this.#quiet.set(group, nowMs + spec.windowMs);
      const entry: AuditDraft = {
        at: new Date(nowMs).toISOString(),
        action: 'sentinel-would-trip',
        actor: sentinelActor(spec.name),
        reason: `sentinel ${spec.name} (shadow) would have stopped ${describeScope(scope)} (${spec.mode}): ${sentinelCountText(spec, sum)} within ${durationText(spec.windowMs)}`,
        scope,
        data: { ...tripData(spec, sum), mode: spec.mode, expiresInMs: spec.expiresInMs, enforce: false },
      };
      await this.#audit.append(entry);
      this.#observations.wouldTrip(spec.name, nowMs);
      this.#metrics.sentinelTrips.inc({ sentinel: spec.name, outcome: 'would_trip' });
      this.#audited();
      this.#logger.info('sentinel would trip', { sentinel: spec.name, scope: describeScope(scope), sum });
    } finally {
      this.#tripping.delete(group);
    }
  }
}

/** What a trip's (or a would-trip's) audit entry says was counted. */
function tripData(spec: SentinelSpec, sum: number): Record<string, unknown> {
  return {
    sentinel: spec.name,
    signal: spec.signal,
    ...(spec.signal === 'spend' ? { spentUsd: sum / MICRO_USD_PER_USD } : { count: sum }),
    windowMs: spec.windowMs,
    threshold: spec.threshold,
  };
}
