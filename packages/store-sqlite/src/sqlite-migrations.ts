import type Database from 'better-sqlite3';
import { pendingMigrations, sqlMigrations, type SqlMigration } from '@estop/core/sql';
import { SQLITE_DIALECT } from './sqlite-dialect.js';

/** Every schema step, in order: the shared steps in SQLite's column types, and the store's random identity (step 10). */
export const SQLITE_MIGRATIONS: readonly SqlMigration[] = sqlMigrations(SQLITE_DIALECT.types, {
  10: 'INSERT INTO estop_store (id) VALUES (lower(hex(randomblob(16))));',
});

/**
 * Applies the steps this database lacks, each recorded in `estop_migrations`. It runs in one
 * IMMEDIATE transaction, so processes starting together on one file apply each step once.
 */
export function migrateSqlite(db: Database.Database, migrations: readonly SqlMigration[] = SQLITE_MIGRATIONS): void {
  db.transaction(() => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS estop_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      )
    `);
    const applied = db.prepare<[], number>('SELECT version FROM estop_migrations').pluck().all();
    const record = db.prepare<[number, string]>('INSERT INTO estop_migrations (version, name) VALUES (?, ?)');
    for (const migration of pendingMigrations(applied, migrations)) {
      db.exec(migration.sql);
      record.run(migration.version, migration.name);
    }
  }).immediate();
}
