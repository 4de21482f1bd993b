/**
 * How long to wait before restarting an upstream after `failures` consecutive failures:
 * `baseMs`, doubling each time, at most `maxMs` (100 ms, 200 ms, … 5 s by default).
 */
export function restartDelay(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures, 30));
}
