/**
 * Counts sentinel signals per group over a sliding window: in memory for one control plane,
 * in Redis for many replicas counting together.
 */
export interface SentinelCounter {
  /**
   * Counts one event of `group` at `nowMs`; answers how many fell within the `windowMs`
   * ending then, at most `cap` (older events, and those beyond the latest `cap`, are dropped).
   */
  add(group: string, nowMs: number, windowMs: number, cap: number): Promise<number>;
  /**
   * Starts `group` again from zero, as after a trip. True for the one caller that reset a group
   * with events in it, so that replicas racing past a threshold trip once.
   */
  reset(group: string): Promise<boolean>;
  /** Forgets groups with nothing left in their window (counters that do not expire on their own). */
  prune?(nowMs: number): void;
  close?(): Promise<void>;
}
