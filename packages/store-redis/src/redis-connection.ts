import { Redis } from 'ioredis';

/** A script registered on a client (sent once, then run by its SHA). */
export type Script = (key: string, ...args: string[]) => Promise<unknown>;

/** Registers `lua` on the client under `name` and returns a caller for it. */
export function defineScript(client: Redis, name: string, lua: string): Script {
  client.defineCommand(name, { numberOfKeys: 1, lua });
  const command = (client as unknown as Record<string, Script>)[name] as Script;
  return (key, ...args) => command.call(client, key, ...args);
}

/** A connection to use: the caller's client (left open by `close`), or one opened for `url`. */
export function openConnection(options: { url?: string | undefined; client?: Redis | undefined }): {
  client: Redis;
  close(): Promise<void>;
} {
  if (options.client !== undefined) return { client: options.client, close: async () => {} };
  // Fail a command after two reconnection attempts rather than queueing it for long: the caller
  // turns `unavailable` into a decision, which is better than a write waiting on a dead cache.
  const client = new Redis(options.url ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2, connectTimeout: 5000 });
  // Connection errors reach callers through their commands; without a listener Node would crash.
  client.on('error', () => {});
  return {
    client,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
