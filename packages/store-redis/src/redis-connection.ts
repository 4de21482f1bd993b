import { Redis } from 'ioredis';
import { EstopError } from '@estop/core';
import { toStoreError } from './redis-errors.js';

// Idempotency claims and sentinel counts are single round trips, well under a millisecond.
const COMMAND_TIMEOUT_MS = 2000;

/** A script registered on a client (sent once, then run by its SHA). */
export type Script = (key: string, ...args: string[]) => Promise<unknown>;

/** Registers `lua` on the client under `name` and returns a caller for it. */
export function defineScript(client: Redis, name: string, lua: string): Script {
  client.defineCommand(name, { numberOfKeys: 1, lua });
  const command = (client as unknown as Record<string, Script>)[name] as Script;
  return (key, ...args) => command.call(client, key, ...args);
}

/** A connection an adapter works through: commands run only while it is open, errors as EstopErrors. */
export interface AdapterConnection {
  readonly client: Redis;
  /** Runs `work` on the connection; `unavailable` once closed, Redis failures as `toStoreError` says. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Closes the connection if the adapter opened it (a client passed in is its owner's to close). */
  close(): Promise<void>;
}

/** Opens the connection an adapter named `what` uses: the caller's client, or one opened for `url`. */
export function openConnection(
  what: string,
  options: { url?: string | undefined; client?: Redis | undefined },
): AdapterConnection {
  const owned = options.client === undefined;
  // Fail a command after two reconnection attempts rather than queueing it for long, and one
  // without an answer after COMMAND_TIMEOUT_MS (a partition: the connection open, nothing coming
  // back): the caller turns `unavailable` into a decision, which is better than a write waiting
  // on a dead cache. The client reconnects by itself when Redis returns.
  const client =
    options.client ??
    new Redis(options.url ?? 'redis://127.0.0.1:6379', {
      maxRetriesPerRequest: 2,
      connectTimeout: 2000,
      commandTimeout: COMMAND_TIMEOUT_MS,
      // Commands issued in the same turn of the event loop go out in one write: a socket write
      // per command costs more than the command under load.
      enableAutoPipelining: true,
    });
  // Connection errors reach callers through their commands; without a listener Node would crash.
  if (owned) client.on('error', () => {});
  let closed = false;
  return {
    client,
    async run(work) {
      if (closed) throw new EstopError({ code: 'unavailable', message: `the ${what} is closed` });
      try {
        return await work();
      } catch (error) {
        throw toStoreError(error, `Redis ${what}`);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await client.quit().catch(() => client.disconnect());
    },
  };
}
