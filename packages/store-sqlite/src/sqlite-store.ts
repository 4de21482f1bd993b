import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { EstopError, isEstopError, type Sha256, type Store } from '@estop/core';
import { createSqliteAdminRequestStore } from './sqlite-admin-request-store.js';
import { createSqliteApprovalStore } from './sqlite-approval-store.js';
import { createSqliteAuditStore } from './sqlite-audit-store.js';
import type { SqliteContext } from './sqlite-context.js';
import { createSqliteDraftStore } from './sqlite-draft-store.js';
import { createSqliteEnforcerStore } from './sqlite-enforcer-store.js';
import { toStoreError } from './sqlite-errors.js';
import { createSqliteIdempotencyStore } from './sqlite-idempotency-store.js';
import { migrateSqlite } from './sqlite-migrations.js';
import { createSqliteNotificationStore } from './sqlite-notification-store.js';
import { ownerOnlyDatabaseFiles } from './owner-only-files.js';
import { createSqliteRestoreRequestStore } from './sqlite-restore-request-store.js';
import { createSqliteRuleStore } from './sqlite-rule-store.js';
import { createSqliteRunStore } from './sqlite-run-store.js';
import { prepareStatements, type SqliteStatements } from './sqlite-statements.js';
import { createSqliteTokenStore } from './sqlite-token-store.js';

/** How long a write waits for another process's transaction before giving up with `unavailable`. */
const BUSY_TIMEOUT_MS = 5000;

/** Where the SQLite store keeps its data, and the hash function for the audit chain. */
export interface SqliteStoreOptions {
  /**
   * Path of the database file (its directory is created 0700 if missing), or `:memory:`. The file
   * and its `-wal` and `-shm` are made readable by their owner only (0600) each time it is opened.
   */
  file: string;
  sha256: Sha256;
}

function openDatabase(file: string): Database.Database {
  try {
    if (file !== ':memory:' && file !== '') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      ownerOnlyDatabaseFiles(file);
    }
    const db = new Database(file);
    // Set before switching to WAL: the switch needs a lock that another process may hold.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit, so a change reported as done survives a crash or power loss.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    if (isEstopError(error)) throw error;
    throw new EstopError({ code: 'unavailable', message: `cannot open the SQLite database "${file}"`, cause: error });
  }
}

/**
 * The embedded store: one SQLite file in WAL mode. Every change is one IMMEDIATE transaction,
 * so several processes sharing the file take turns, and a change is on disk when it resolves.
 * Call `migrate()` before anything else.
 *
 * @example
 * const store = createSqliteStore({ file: '.estop/estop.db', sha256 });
 * await store.migrate();
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const db = openDatabase(options.file);
  let statements: SqliteStatements | undefined;
  const context: SqliteContext = {
    db,
    sha256: options.sha256,
    statements: () => (statements ??= prepareStatements(db)),
    runNow(work) {
      if (!db.open) throw new EstopError({ code: 'unavailable', message: 'the store is closed' });
      try {
        return work();
      } catch (error) {
        throw toStoreError(error);
      }
    },
    async run(work) {
      return context.runNow(work);
    },
    readOne(read, fromRow) {
      return context.run(() => {
        const row = read();
        return row === undefined ? undefined : fromRow(row);
      });
    },
  };
  return {
    rules: createSqliteRuleStore(context),
    audit: createSqliteAuditStore(context),
    tokens: createSqliteTokenStore(context),
    enforcers: createSqliteEnforcerStore(context),
    restoreRequests: createSqliteRestoreRequestStore(context),
    adminRequests: createSqliteAdminRequestStore(context),
    approvals: createSqliteApprovalStore(context),
    drafts: createSqliteDraftStore(context),
    idempotency: createSqliteIdempotencyStore(context),
    notifications: createSqliteNotificationStore(context),
    runs: createSqliteRunStore(context),
    migrate: () => context.run(() => migrateSqlite(db)),
    async close() {
      if (db.open) db.close();
    },
  };
}
