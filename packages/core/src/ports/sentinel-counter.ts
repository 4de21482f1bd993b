/**
 * Sums sentinel signals per group over a sliding window (a count, when each amount is 1): in
 * memory for one control plane, in Redis for many replicas counting together. Amounts are
 * whole numbers (spend in micro-dollars).
 */
export interface SentinelCounter {
  /**
   * Adds one event of `amount` to `group` at `nowMs`; answers the sum within the `windowMs`
   * ending then, as far as reaching `limit` goes: older events, and the oldest of those that
   * reaching it does not need, are dropped, so the answer is the sum of the events kept.
   */
  add(group: string, nowMs: number, windowMs: number, amount: number, limit: number): Promise<number>;
  /**
   * The sum `add` would answer for `group` at `nowMs`, as far as `windowMs` reaches, without
   * adding anything: 0 for a group with nothing in its window (or none at all).
   */
  peek(group: string, nowMs: number, windowMs: number): Promise<number>;
  /**
   * Starts `group` again from zero, as after a trip. True for the one caller that reset a group
   * with events in it, so that replicas racing past a threshold trip once.
   */
  reset(group: string): Promise<boolean>;
  /** Forgets groups with nothing left in their window (counters that do not expire on their own). */
  prune?(nowMs: number): void;
  close?(): Promise<void>;
}
