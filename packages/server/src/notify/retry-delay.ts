/** How deliveries are retried: exponential backoff from `baseMs`, capped at `maxMs`, at most `attempts` attempts. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  attempts: number;
}

/** About 20 minutes of attempts: 1 s, 2 s, 4 s … capped at 5 minutes, 12 attempts in all. */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1000, maxMs: 300_000, attempts: 12 };

/**
 * The wait before the attempt after `attempts` failed ones: `baseMs · 2^(attempts-1)`, capped, of
 * which a random half is taken off (jitter), so receivers coming back are not hit all at once.
 */
export function retryDelayMs(policy: RetryPolicy, attempts: number, random: () => number = Math.random): number {
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}
