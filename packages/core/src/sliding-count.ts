/**
 * How many events fell within the last `windowMs`, exactly: it keeps the times of the latest
 * `cap` events only, since a count that reaches `cap` is all a caller asks about. Pure: the
 * caller passes the time.
 */
export class SlidingCount {
  readonly #windowMs: number;
  readonly #cap: number;
  #times: number[] = [];

  constructor(windowMs: number, cap: number) {
    this.#windowMs = windowMs;
    this.#cap = cap;
  }

  /** Counts an event at `nowMs`; answers how many fell within the window ending then (at most `cap`). */
  add(nowMs: number): number {
    this.#drop(nowMs);
    this.#times.push(nowMs);
    if (this.#times.length > this.#cap) this.#times.shift();
    return this.#times.length;
  }

  /** True when no event falls within the window ending at `nowMs`. */
  isEmpty(nowMs: number): boolean {
    this.#drop(nowMs);
    return this.#times.length === 0;
  }

  /** Forgets every event, as after a trip. */
  clear(): void {
    this.#times = [];
  }

  #drop(nowMs: number): void {
    const oldest = nowMs - this.#windowMs;
    let stale = 0;
    while (stale < this.#times.length && (this.#times[stale] as number) <= oldest) stale++;
    if (stale > 0) this.#times.splice(0, stale);
  }
}
