/**
 * The control-plane replicas an enforcer may use, and the one it uses now. Every request goes
 * to the current replica; a failure there (the caller says which replica failed) moves every
 * later request to the next one, round robin from a random first one, so that enforcers spread
 * over the replicas and, when one goes away, over the others.
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
  #index: number;

  constructor(urls: readonly URL[], random: () => number = Math.random) {
    if (urls.length === 0) throw new RangeError('a replica set needs at least one URL');
    this.urls = [...urls];
    this.#index = Math.min(urls.length - 1, Math.floor(random() * urls.length));
  }

  /** The replica requests go to now. */
  get current(): URL {
    return this.urls[this.#index] as URL;
  }

  /**
   * Moves on from `url` after a failure there. A failure at a replica already left behind (a
   * request that started before the move) changes nothing, so concurrent failures move once.
   * Returns whether the current replica changed.
   */
  failed(url: URL): boolean {
    if (this.urls.length < 2 || url !== this.current) return false;
    this.#index = (this.#index + 1) % this.urls.length;
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
