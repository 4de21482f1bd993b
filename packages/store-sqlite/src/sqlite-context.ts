import type Database from 'better-sqlite3';
import type { Sha256 } from '@estop/core';
import type { SqliteStatements } from './sqlite-statements.js';

/** What the parts of one SQLite store share: its connection, statements and hash function. */
export interface SqliteContext {
  readonly db: Database.Database;
  readonly sha256: Sha256;
  /** The prepared statements; prepared on first use, which must come after `migrate()`. */
  statements(): SqliteStatements;
  /** Runs `work` if the store is open, turning any failure into an EstopError. */
  run<T>(work: () => T): Promise<T>;
  /** `run` without the promise, for a hot path that answers at once when it can: throws the EstopError. */
  runNow<T>(work: () => T): T;
  /** Runs `read` as `run` does, and decodes the row it found with `fromRow`; undefined if none. */
  readOne<Row, T>(read: () => Row | undefined, fromRow: (row: Row) => T): Promise<T | undefined>;
}
