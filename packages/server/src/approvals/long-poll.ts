/**
 * Wake-ups for long polls keyed by id: a waiter is released by a local change (`wake`) or
 * after `pollMs`, whichever comes first, so changes made on another replica are seen by a
 * short re-read of the store.
 */
export class LongPoll {
  readonly #waiters = new Map<string, Set<() => void>>();

  /** Resolves when `id` is woken or after `ms`. */
  pause(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set<() => void>();
      this.#waiters.set(id, waiters);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(finish);
        if (waiters.size === 0) this.#waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, ms));
      waiters.add(finish);
    });
  }

  /** Releases every waiter on `id`. */
  wake(id: string): void {
    for (const finish of [...(this.#waiters.get(id) ?? [])]) finish();
  }

  /** Releases every waiter. */
  wakeAll(): void {
    for (const id of [...this.#waiters.keys()]) this.wake(id);
  }
}
