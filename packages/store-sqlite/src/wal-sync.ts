import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Makes a WAL database's committed transactions durable by syncing its `-wal` file on libuv's
 * thread pool, so the event loop goes on while the disk works. For a connection at
 * `synchronous = NORMAL`, whose commits write the WAL but do not sync it, a commit followed by
 * `sync()` is as durable as one at `synchronous = FULL`, which syncs the same file at the same
 * point, only on the calling thread. Syncs are shared: every commit made before a sync starts
 * is covered by it, and callers that come while one runs wait for the next, which covers them all.
 */
export class WalSync {
  readonly #path: string;
  #file: Promise<FileHandle> | undefined;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  /** `walPath`: the database's `-wal` file, which exists while a connection has the database open. */
  constructor(walPath: string) {
    this.#path = walPath;
  }

  /** Resolves once every commit made before the call is on disk. */
  sync(): Promise<void> {
    if (this.#running === undefined) return this.#start();
    this.#next ??= this.#running.then(
      () => this.#startNext(),
      () => this.#startNext(),
    );
    return this.#next;
  }

  /** Closes the file; syncs under way finish first. */
  async close(): Promise<void> {
    await Promise.allSettled([this.#running, this.#next]);
    const file = this.#file;
    this.#file = undefined;
    await (await file?.catch(() => undefined))?.close();
  }

  #startNext(): Promise<void> {
    this.#next = undefined;
    return this.#start();
  }

  #start(): Promise<void> {
    const running = this.#syncOnce().finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #syncOnce(): Promise<void> {
    this.#file ??= openDurably(this.#path);
    const file = this.#file;
    try {
      await (await file).sync();
    } catch (error) {
      // Opened again at the next sync: a failed open is not remembered.
      if (this.#file === file) this.#file = undefined;
      throw error;
    }
  }
}

/** Opens the file, and syncs its directory once so that the file's own entry survives a power loss. */
async function openDurably(path: string): Promise<FileHandle> {
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
  return open(path, 'r+');
}
