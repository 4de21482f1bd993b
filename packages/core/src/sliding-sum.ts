/**
 * The sum of the amounts of the events within the last `windowMs` (a count, when each is 1),
 * up to a `limit`: once the events kept reach it, older ones are let go, since reaching the
 * limit is all a caller asks about. Memory is bounded by the events that reaching it takes.
 * Pure: the caller passes the time.
 */
export class SlidingSum {
  readonly #windowMs: number;
  readonly #limit: number;
  #times: number[] = [];
  #amounts: number[] = [];
  #sum = 0;

  constructor(windowMs: number, limit: number) {
    this.#windowMs = windowMs;
    this.#limit = limit;
  }

  /** Adds an event of `amount` at `nowMs`; answers the sum kept within the window ending then. */
  add(nowMs: number, amount = 1): number {
    this.#drop(nowMs);
    this.#times.push(nowMs);
    this.#amounts.push(amount);
    this.#sum += amount;
    // Let go of the oldest events while the rest still reach the limit.
    let spare = 0;
    while (spare < this.#amounts.length - 1 && this.#sum - (this.#amounts[spare] as number) >= this.#limit) {
      this.#sum -= this.#amounts[spare] as number;
      spare++;
    }
    this.#forget(spare);
    return this.#sum;
  }

  /** The sum kept within the window ending at `nowMs`, adding nothing. */
  sum(nowMs: number): number {
    this.#drop(nowMs);
    return this.#sum;
  }

  /** True when no event falls within the window ending at `nowMs`. */
  isEmpty(nowMs: number): boolean {
    this.#drop(nowMs);
    return this.#times.length === 0;
  }

  #drop(nowMs: number): void {
    const oldest = nowMs - this.#windowMs;
    let stale = 0;
    while (stale < this.#times.length && (this.#times[stale] as number) <= oldest) {
      this.#sum -= this.#amounts[stale] as number;
      stale++;
    }
    this.#forget(stale);
  }

  #forget(count: number): void {
    if (count === 0) return;
    this.#times.splice(0, count);
    this.#amounts.splice(0, count);
  }
}
