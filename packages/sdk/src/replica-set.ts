/**
 * The control-plane replicas an enforcer may use, and the one it uses now. Every request goes
 * to the current replica; a failure there (the caller says which replica failed) moves every
 * later request to the next one in an order of this enforcer's own: a random first replica,
 * then the others shuffled, round and round. Enforcers spread over the replicas, and those that
 * lose one replica at once spread over all the others rather than all landing on the same next
 * one (a thousand registrations and streams on one replica while the others idle).
 *
 * @example
 * const replicas = new ReplicaSet([new URL('http://cp-a:7070/'), new URL('http://cp-b:7070/')]);
 * const url = replicas.current;
 * // ... a request to url failed:
 * replicas.failed(url); // later requests go to the other replica
 */
export class ReplicaSet {
  /** Every replica, in the order given. */
  readonly urls: readonly URL[];
  readonly #listeners = new Set<() => void>();
  /** The order this enforcer tries the replicas in. */
  readonly #order: URL[];
  #index = 0;

  constructor(urls: readonly URL[], random: () => number = Math.random) {
    if (urls.length === 0) throw new RangeError('a replica set needs at least one URL');
    this.urls = [...urls];
    const first = Math.min(urls.length - 1, Math.floor(random() * urls.length));
    const others = [...urls.slice(first + 1), ...urls.slice(0, first)];
    // Fisher–Yates: every order of the others is as likely.
    for (let index = others.length - 1; index > 0; index--) {
      const other = Math.min(index, Math.floor(random() * (index + 1)));
      [others[index], others[other]] = [others[other] as URL, others[index] as URL];
    }
    this.#order = [urls[first] as URL, ...others];
  }

  /** The replica requests go to now. */
  get current(): URL {
    return this.#order[this.#index] as URL;
  }

  /**
   * Moves on from `url` after a failure there. A failure at a replica already left behind (a
   * request that started before the move) changes nothing, so concurrent failures move once.
   * Returns whether the current replica changed.
   */
  failed(url: URL): boolean {
    if (this.urls.length < 2 || url !== this.current) return false;
    this.#index = (this.#index + 1) % this.#order.length;
    for (const listener of this.#listeners) listener();
    return true;
  }

  /** Calls `listener` after each move to another replica; returns the function that stops it. */
  onMove(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** The replicas' origins, for messages: `http://cp-a:7070, http://cp-b:7070`. */
  describe(): string {
    return this.urls.map((url) => url.origin).join(', ');
  }
}
