import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How often the WAL is checkpointed into the database file. */
const CHECKPOINT_EVERY_MS = 500;

// The thread's code: a connection of its own that checkpoints when asked, then says so.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage('done');
  } catch (error) {
    parentPort.postMessage(String(error));
  }
});
`;

/**
 * Checkpoints a WAL database from a thread of its own. SQLite checkpoints on the connection that
 * commits once the WAL passes 1,000 pages: it copies them into the database file and syncs it,
 * which stops the event loop for milliseconds (10 to 25 ms measured under load) in the middle of
 * a commit. Here the connections' automatic checkpoints are off and a thread runs a PASSIVE
 * checkpoint every CHECKPOINT_EVERY_MS, which never blocks a writer. If the thread cannot run,
 * the connections checkpoint themselves again.
 */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #timer: NodeJS.Timeout;
  readonly #connections: readonly Database.Database[];
  #busy = false;
  #failed = false;
  #closing = false;
  #closed: Promise<void> | undefined;

  constructor(file: string, connections: readonly Database.Database[]) {
    this.#connections = connections;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(THREAD, { eval: true, workerData: { file, driver } });
    this.#worker.unref();
    this.#worker.on('message', () => {
      this.#busy = false;
    });
    this.#worker.on('error', () => this.#fallBack());
    this.#worker.on('exit', () => {
      if (!this.#closing) this.#fallBack();
    });
    for (const connection of connections) connection.pragma('wal_autocheckpoint = 0');
    this.#timer = setInterval(() => this.#request(), CHECKPOINT_EVERY_MS);
    this.#timer.unref();
  }

  /** Stops the thread after the checkpoint under way, and closes its connection; once. */
  close(): Promise<void> {
    this.#closed ??= this.#stop();
    return this.#closed;
  }

  async #stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#closing = true;
    if (this.#failed) return;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    // Held until the thread has closed its connection and exited.
    this.#worker.ref();
    this.#worker.postMessage('close');
    await exited;
  }

  #request(): void {
    if (this.#busy || this.#failed) return;
    this.#busy = true;
    this.#worker.postMessage('checkpoint');
  }

  #fallBack(): void {
    this.#failed = true;
    clearInterval(this.#timer);
    for (const connection of this.#connections) {
      if (connection.open) connection.pragma('wal_autocheckpoint = 1000');
    }
  }
}
