import {
  describeScope,
  sentinelActor,
  SentinelWatch,
  type Clock,
  type ObservedCall,
  type Scope,
  type SentinelSignal,
  type SentinelSpec,
  type SentinelTrip,
} from '@estop/core';
import type { Logger } from './app.js';
import type { ChangeHub } from './change-hub.js';
import type { RuleService } from './rule-service.js';

/** Where the control plane tells the sentinels what it hears of write calls. */
export interface SentinelObserver {
  observe(signal: SentinelSignal, call: ObservedCall): void;
}

const SIGNAL_WORDS: Record<SentinelSignal, string> = {
  writes: 'writes',
  duplicates: 'duplicate writes',
  failures: 'failed writes',
};

function sameScope(left: Scope, right: Scope): boolean {
  return (
    left.tenant === right.tenant && left.agent === right.agent && left.run === right.run && left.tool === right.tool
  );
}

function windowWords(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * The sentinels: automatic trips. Each write the control plane hears of (claimed, suppressed
 * as a duplicate, or failed) is counted; a group that reaches a sentinel's threshold within
 * its window is stopped by a rule whose actor is `sentinel:<name>`, unless a rule of that
 * sentinel already stops that scope. Counts are this replica's: with several replicas, each
 * counts the enforcers it serves.
 */
export class SentinelService implements SentinelObserver {
  readonly #watch: SentinelWatch;
  readonly #rules: RuleService;
  readonly #hub: ChangeHub;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** Trips being committed, so that a burst trips once. */
  readonly #tripping = new Set<string>();
  readonly #pending = new Set<Promise<void>>();

  constructor(deps: {
    specs: readonly SentinelSpec[];
    rules: RuleService;
    hub: ChangeHub;
    clock: Clock;
    logger: Logger;
  }) {
    this.#watch = new SentinelWatch(deps.specs);
    this.#rules = deps.rules;
    this.#hub = deps.hub;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
  }

  observe(signal: SentinelSignal, call: ObservedCall): void {
    for (const trip of this.#watch.observe(signal, call, this.#clock.now())) {
      const tripped = this.#trip(trip);
      this.#pending.add(tripped);
      void tripped.finally(() => this.#pending.delete(tripped));
    }
  }

  /** Forgets quiet groups; called on a timer. */
  prune(): void {
    this.#watch.prune(this.#clock.now());
  }

  /** Waits for trips being committed (for a clean close). */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #trip({ spec, scope, count }: SentinelTrip): Promise<void> {
    const actor = sentinelActor(spec.name);
    const key = `${spec.name}\n${describeScope(scope)}`;
    const standing = this.#hub
      .snapshot()
      .rules.some((rule) => rule.actor.id === actor.id && sameScope(rule.scope, scope));
    if (standing || this.#tripping.has(key)) return;
    this.#tripping.add(key);
    const what = `${count} ${SIGNAL_WORDS[spec.signal]}${spec.tool === undefined ? '' : ` of ${spec.tool}`}`;
    const reason = `sentinel ${spec.name}: ${what} for ${describeScope({ ...scope, tool: undefined })} within ${windowWords(spec.windowMs)}`;
    try {
      const { rule } = await this.#rules.createAs(
        actor,
        { scope, mode: spec.mode, reason, expiresIn: spec.expiresInMs, cancelInFlight: false },
        { sentinel: spec.name, signal: spec.signal, count, windowMs: spec.windowMs, threshold: spec.threshold },
      );
      this.#logger.info('sentinel tripped', { sentinel: spec.name, rule: rule.id, scope: describeScope(scope), count });
    } catch (error) {
      this.#logger.error('sentinel trip failed', { sentinel: spec.name, error: String(error) });
    } finally {
      this.#tripping.delete(key);
    }
  }
}
