import type { RegistryEntry } from './registry-entry.js';

/**
 * One wait for a version: the ids of this replica's counted enforcers still behind it, kept as
 * acknowledgements come; undefined when they must be counted again (an enforcer came or went).
 */
export interface VersionWait {
  readonly version: number;
  readonly tenant: string | undefined;
  behind: Set<string> | undefined;
  wake: () => void;
}

/** Whether an enforcer registered by a token bound to `owner` counts for a caller bound to `caller`. */
export function countedFor(owner: string | undefined, caller: string | undefined): boolean {
  return caller === undefined || owner === undefined || owner === caller;
}

/** Whether an entry of this replica is connected here and counts for a caller bound to `tenant`. */
export function countedHere(entry: RegistryEntry, tenant: string | undefined): boolean {
  return entry.streams > 0 && countedFor(entry.tenant, tenant);
}

/**
 * The waits for versions on one replica (`kill --wait`, `GET /v1/versions/:v/enforcement?wait=`),
 * followed as acknowledgements come: an acknowledgement removes its enforcer from each wait it was
 * behind for, so it costs a wait a step rather than a recount of every enforcer, and wakes a wait
 * it was the last one behind for. An enforcer that comes, goes or registers again makes every wait
 * count again, once for all such changes of a turn of the event loop (a reconnect storm is thousands).
 */
export class VersionWaits {
  readonly #waits = new Set<VersionWait>();
  #recounting = false;

  /** Starts a wait for `version` (a tenant's caller: `tenant`); close it when done. */
  open(version: number, tenant: string | undefined): VersionWait {
    const wait: VersionWait = { version, tenant, behind: undefined, wake: () => {} };
    this.#waits.add(wait);
    return wait;
  }

  close(wait: VersionWait): void {
    this.#waits.delete(wait);
  }

  /** Enforcer `id`, which had applied `from`, applied `version`. */
  applied(id: string, from: number, version: number): void {
    if (version <= from) return;
    for (const wait of this.#waits) {
      if (version >= wait.version && wait.behind?.delete(id) === true && wait.behind.size === 0) wait.wake();
    }
  }

  /** An enforcer came, went or registered again: every wait counts again, at the next turn. */
  changed(): void {
    if (this.#waits.size === 0 || this.#recounting) return;
    this.#recounting = true;
    setImmediate(() => {
      this.#recounting = false;
      for (const wait of this.#waits) {
        wait.behind = undefined;
        wait.wake();
      }
    });
  }

  /** Resolves when `wait` is woken, or after `ms`. */
  static sleep(wait: VersionWait, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        wait.wake = () => {};
        resolve();
      };
      const timer = setTimeout(finish, ms);
      wait.wake = finish;
    });
  }
}

/** The ids of the connected enforcers of `live` counted for `tenant` (see countedFor) that are behind `version`. */
export function behindIn(
  live: ReadonlyMap<string, RegistryEntry>,
  version: number,
  tenant: string | undefined,
): Set<string> {
  const behind = new Set<string>();
  for (const [id, entry] of live) {
    if (countedHere(entry, tenant) && entry.record.version < version) behind.add(id);
  }
  return behind;
}
