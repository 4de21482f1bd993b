import { EstopError, type Clock } from '@estop/core';

/** Counts failed authentications per source and says when a source has had too many. */
export interface AuthFailureLimiter {
  /**
   * Records one failed authentication from `source`. Returns the milliseconds until its window
   * ends when the source is now over the limit, else undefined.
   */
  recordFailure(source: string): number | undefined;
}

/** Options for createAuthFailureLimiter. */
export interface AuthFailureLimiterOptions {
  clock: Clock;
  /** Failures allowed per source within one window; the next one is refused. Default 20. */
  limit?: number;
  /** The window's length in milliseconds. Default 60 000. */
  windowMs?: number;
  /** Sources remembered at most; expired windows are dropped first. Default 10 000. */
  maxSources?: number;
}

/**
 * A fixed-window counter of failed authentications per source (remote address). Only failures
 * count: a request with a valid token is never limited, so an operator who shares an address
 * with a misbehaving client can still stop agents.
 *
 * @example
 * const limiter = createAuthFailureLimiter({ clock: systemClock });
 * const retryAfterMs = limiter.recordFailure('10.0.0.7');
 * if (retryAfterMs !== undefined) throw rateLimitedError(retryAfterMs);
 */
export function createAuthFailureLimiter(options: AuthFailureLimiterOptions): AuthFailureLimiter {
  const limit = options.limit ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  const maxSources = options.maxSources ?? 10_000;
  const windows = new Map<string, { start: number; failures: number }>();

  function forgetExpired(now: number): void {
    for (const [source, window] of windows) {
      if (now - window.start >= windowMs) windows.delete(source);
    }
    // Still full: a flood from many addresses; start over rather than grow without bound.
    if (windows.size >= maxSources) windows.clear();
  }

  return {
    recordFailure(source) {
      const now = options.clock.now();
      let window = windows.get(source);
      if (window === undefined || now - window.start >= windowMs) {
        if (window === undefined && windows.size >= maxSources) forgetExpired(now);
        window = { start: now, failures: 0 };
        windows.set(source, window);
      }
      window.failures += 1;
      return window.failures > limit ? window.start + windowMs - now : undefined;
    },
  };
}

/** The `rate_limited` error for a source that must wait `retryAfterMs`; the server sends it with Retry-After. */
export function rateLimitedError(retryAfterMs: number): EstopError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new EstopError({
    code: 'rate_limited',
    message: `too many failed authentications from this address; retry in ${retryAfterSeconds} s`,
    details: { retryAfterSeconds },
  });
}
