import {
  describeScope,
  durationText,
  MICRO_USD_PER_USD,
  sentinelActor,
  sentinelCountText,
  sentinelLimit,
  SentinelSpecs,
  type Clock,
  type ObservedCall,
  type Scope,
  type SentinelCounter,
  type SentinelGroupOf,
  type SentinelSignal,
  type SentinelSpec,
} from '@estop/core';
import type { Logger } from '../logger.js';
import type { ChangeHub } from '../stream/change-hub.js';
import type { RuleService } from '../rules/rule-service.js';

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
 */
export class SentinelService implements SentinelObserver {
  readonly #specs: SentinelSpecs;
  readonly #counter: SentinelCounter;
  readonly #rules: RuleService;
  readonly #hub: ChangeHub;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** Trips being committed here, so that a burst trips once. */
  readonly #tripping = new Set<string>();
  readonly #pending = new Set<Promise<void>>();

  constructor(deps: {
    specs: readonly SentinelSpec[];
    counter: SentinelCounter;
    rules: RuleService;
    hub: ChangeHub;
    clock: Clock;
    logger: Logger;
  }) {
    this.#specs = new SentinelSpecs(deps.specs);
    this.#counter = deps.counter;
    this.#rules = deps.rules;
    this.#hub = deps.hub;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
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
    this.#counter.prune?.(this.#clock.now());
  }

  /** Waits for counts and trips under way (for a clean close). */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #count({ spec, scope, group }: SentinelGroupOf, nowMs: number, amount: number): Promise<void> {
    const limit = sentinelLimit(spec);
    const sum = await this.#counter.add(group, nowMs, spec.windowMs, amount, limit);
    if (sum < limit || this.#tripping.has(group)) return;
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
        {
          sentinel: spec.name,
          signal: spec.signal,
          ...(spec.signal === 'spend' ? { spentUsd: sum / MICRO_USD_PER_USD } : { count: sum }),
          windowMs: spec.windowMs,
          threshold: spec.threshold,
        },
      );
      this.#logger.info('sentinel tripped', { sentinel: spec.name, rule: rule.id, scope: describeScope(scope), sum });
    } finally {
      this.#tripping.delete(group);
    }
  }
}
