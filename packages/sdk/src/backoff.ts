/**
 * Reconnect delays: exponential growth with full jitter, so that many enforcers cut off by
 * the same outage do not all come back in the same instant.
 *
 * @example
 * const backoff = new Backoff({ baseMs: 100, maxMs: 5000 });
 * await sleep(backoff.next()); // 0–100 ms, then 0–200 ms, ... up to 0–5000 ms
 * backoff.reset(); // after a successful resync
 */
export class Backoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: { baseMs: number; maxMs: number; random?: () => number }) {
    this.#baseMs = options.baseMs;
    this.#maxMs = options.maxMs;
    this.#random = options.random ?? Math.random;
  }

  /** The delay before the next attempt, in milliseconds; each call widens the window. */
  next(): number {
    // The exponent is capped so that the window stops growing before 2 ** attempt overflows.
    const window = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.floor(this.#random() * window);
  }

  /** Starts again from the smallest window. */
  reset(): void {
    this.#attempt = 0;
  }
}
