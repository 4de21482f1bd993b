import { EstopError, durationText, type EnforcerStore } from '@estop/core';

/** How long an enforcer may be gone before it is forgotten, unless configured: 10 minutes. */
export const DEFAULT_FORGET_AFTER_MS = 10 * 60_000;

/**
 * The shortest `enforcers.forget_after`. Replicas sharing a store write their heartbeats, which
 * vouch for their connected enforcers' records, every second, and each deletes records (and
 * heartbeats) seen longer than `forget_after` ago: well above that second (and any skew between
 * the replicas' clocks), no replica deletes a record another is still vouching for.
 */
export const MIN_FORGET_AFTER_MS = 10_000;

// Store records of departed enforcers are deleted at most this often (by the registry's clock):
// one DELETE every few seconds, however many enforcers come and go.
const SWEEP_INTERVAL_MS = 5_000;

/**
 * Checks a configured forget-after time.
 *
 * @throws EstopError `config_invalid` when it is shorter than MIN_FORGET_AFTER_MS.
 */
export function checkForgetAfter(ms: number): number {
  if (!Number.isFinite(ms) || ms < MIN_FORGET_AFTER_MS) {
    throw new EstopError({
      code: 'config_invalid',
      message:
        `enforcers.forget_after (ESTOP_ENFORCERS_FORGET_AFTER) must be at least ${durationText(MIN_FORGET_AFTER_MS)}, not ${durationText(Math.max(0, ms))}: ` +
        'replicas vouch for their connected enforcers every second, and a shorter time could delete one still connected',
    });
  }
  return ms;
}

/**
 * Deletes the store's records of enforcers last seen longer than `forgetAfterMs` ago (those of a
 * replica that died, once its heartbeat is that old) and the heartbeats as old, in one
 * transaction, at most once every few seconds. Audit entries naming them are left as they are.
 */
export class DepartedSweep {
  #lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: Pick<EnforcerStore, 'removeSeenBefore'>,
    private readonly forgetAfterMs: number,
  ) {}

  /** Deletes the departed records if a sweep is due at `now`; answers how many were deleted. */
  async sweep(now: number): Promise<number> {
    if (now - this.#lastAt < SWEEP_INTERVAL_MS) return 0;
    this.#lastAt = now;
    return this.store.removeSeenBefore(new Date(now - this.forgetAfterMs).toISOString());
  }
}
