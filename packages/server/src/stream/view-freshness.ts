import { performance } from 'node:perf_hooks';
import { EstopError } from '@estop/core';

/** How long a replica trusts its view of the store without a successful read, by default. */
export const DEFAULT_VIEW_STALE_AFTER_MS = 3000;

/**
 * Whether this replica can vouch that its view of the store is current: it read the store
 * successfully (and applied what it read) within `staleAfterMs`. A replica that cannot (its
 * reads fail or queue up, it lost the store's announcements and its polls, it was frozen) must
 * not keep its enforcers fresh on its view nor report that view as enforcement: its streams
 * close, so that enforcers move to another replica, and its enforcement and readiness answers
 * are `unavailable`. Time is monotonic and real, not the control plane's clock: what is measured
 * is how long ago the store was read, which a test's clock does not move.
 */
export interface ViewFreshness {
  /** How long after the start of its last successful read the view counts as current. */
  readonly staleAfterMs: number;
  /** The time to pass to `confirm` for a read that starts now. */
  now(): number;
  /** The view is current as of `readStartedAt`: a read that started then succeeded and was applied. */
  confirm(readStartedAt: number): void;
  /** The latest read failed: the store does not answer (rather than answering late, or not being asked). */
  failed(): void;
  /**
   * Whether the latest read failed. A view lost that way is the store's outage, likely shared by
   * every replica: streams are kept, silent, rather than sent to replicas that cannot serve them
   * either. A view lost to reads that queue up or never start (a frozen process) ends them.
   */
  readonly failing: boolean;
  /** Whether a read confirmed the view within the bound. */
  isCurrent(): boolean;
  /** @throws EstopError `unavailable` when the view is not current. */
  requireCurrent(): void;
  /** Calls `listener` each time the view stops being current; returns the function that stops it. */
  onLost(listener: () => void): () => void;
  /** Calls `listener` once, at the next read that leaves the view current; returns the function that cancels it. */
  whenCurrent(listener: () => void): () => void;
  close(): void;
}

/**
 * A ViewFreshness confirmed as of `confirmedAt` (the start of the read the replica started from),
 * watched every quarter of `staleAfterMs` to tell listeners when it is lost.
 *
 * @example
 * const view = createViewFreshness({ staleAfterMs: 3000 });
 * const started = view.now();
 * await store.rules.changesSince(hub.snapshot().version); // applied to the hub
 * view.confirm(started);
 */
export function createViewFreshness(options: {
  staleAfterMs: number;
  confirmedAt?: number | undefined;
  now?: (() => number) | undefined;
}): ViewFreshness {
  const { staleAfterMs } = options;
  const now = options.now ?? (() => performance.now());
  let confirmedAt = options.confirmedAt ?? now();
  const listeners = new Set<() => void>();
  const waiters = new Set<() => void>();
  const isCurrent = () => now() - confirmedAt <= staleAfterMs;
  let wasCurrent = isCurrent();
  let failing = false;
  const check = () => {
    const current = isCurrent();
    if (wasCurrent && !current) for (const listener of [...listeners]) listener();
    wasCurrent = current;
  };
  const timer = setInterval(check, Math.max(10, Math.floor(staleAfterMs / 4)));
  timer.unref();
  return {
    staleAfterMs,
    now,
    failed() {
      failing = true;
    },
    get failing() {
      return failing;
    },
    confirm(readStartedAt) {
      failing = false;
      confirmedAt = Math.max(confirmedAt, readStartedAt);
      wasCurrent = isCurrent();
      if (!wasCurrent || waiters.size === 0) return;
      const waiting = [...waiters];
      waiters.clear();
      for (const waiter of waiting) waiter();
    },
    isCurrent,
    requireCurrent() {
      if (isCurrent()) return;
      check();
      const age = Math.round(now() - confirmedAt);
      throw new EstopError({
        code: 'unavailable',
        message: `this replica has not read the store for ${age}ms (bound ${staleAfterMs}ms): its view may be behind; ask another replica`,
      });
    },
    onLost(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    whenCurrent(listener) {
      waiters.add(listener);
      return () => {
        waiters.delete(listener);
      };
    },
    close() {
      clearInterval(timer);
      listeners.clear();
      waiters.clear();
    },
  };
}
