import {
  applyChange,
  applyResume,
  buildRuleIndex,
  type ChangeEvent,
  type Clock,
  type Effect,
  type RuleIndex,
  type StateSnapshot,
  type StreamResume,
} from '@estop/core';

/**
 * The state an enforcer decides with: the last applied snapshot, its rule index, and when
 * the control plane was last heard from. Versions are applied strictly in order.
 */
export class LocalState {
  /** The index `decide` reads; replaced whole on every applied version, never mutated. */
  index: RuleIndex;
  /** Whether a snapshot has been applied. */
  synced = false;
  /** Clock time of the last snapshot, change or keep-alive applied. */
  heardAt = -Infinity;
  #snapshot: StateSnapshot = { version: 0, rules: [], tools: {} };
  readonly #tools: Record<string, Effect>;
  readonly #clock: Clock;
  readonly #onApplied: (snapshot: StateSnapshot, isSnapshot: boolean) => void;

  constructor(
    tools: Record<string, Effect>,
    clock: Clock,
    onApplied: (snapshot: StateSnapshot, isSnapshot: boolean) => void,
  ) {
    this.#tools = tools;
    this.#clock = clock;
    this.#onApplied = onApplied;
    this.index = buildRuleIndex(this.#snapshot, tools);
  }

  /** The applied version; 0 before the first snapshot. */
  get version(): number {
    return this.#snapshot.version;
  }

  /**
   * Replaces the state. A snapshot is authoritative whatever its version, so a control plane
   * whose store was reset is followed rather than ignored.
   */
  applySnapshot(snapshot: StateSnapshot): void {
    this.#commit(snapshot, true);
  }

  /**
   * Continues from the applied version on a stream that resumed from it, with the control
   * plane's tool effects; counts, like a snapshot, as a fresh start to acknowledge. Returns
   * false, changing nothing, when nothing was applied yet or `resume` names another version.
   */
  applyResume(resume: StreamResume): boolean {
    if (!this.synced) return false;
    const next = applyResume(this.#snapshot, resume);
    if (next === undefined) return false;
    this.#commit(next, true);
    return true;
  }

  /** Applies the next version; returns false, changing nothing, when `event` is not the next version. */
  applyChange(event: ChangeEvent): boolean {
    const next = applyChange(this.#snapshot, event);
    if (next === undefined) return false;
    this.#commit(next, false);
    return true;
  }

  /** Records a keep-alive; returns false when it names another version than the applied one. */
  hear(version: number): boolean {
    if (version !== this.#snapshot.version) return false;
    this.heardAt = this.#clock.now();
    return true;
  }

  #commit(snapshot: StateSnapshot, isSnapshot: boolean): void {
    this.index = buildRuleIndex(snapshot, this.#tools);
    this.#snapshot = snapshot;
    this.synced = true;
    this.heardAt = this.#clock.now();
    this.#onApplied(snapshot, isSnapshot);
  }
}
