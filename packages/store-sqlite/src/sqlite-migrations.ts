import type Database from 'better-sqlite3';
import { EstopError } from '@estop/core';

/** One schema step. Steps are never edited once released; a change is a new step. */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

/** Every schema step, in order. */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'rules, change events, audit chain, tokens, enforcers',
    sql: `
      CREATE TABLE estop_changes (
        version INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        changes TEXT NOT NULL
      );
      CREATE TABLE estop_rules (
        ordinal INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        scope TEXT NOT NULL,
        mode TEXT NOT NULL,
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        cancel_in_flight INTEGER NOT NULL,
        created_version INTEGER NOT NULL REFERENCES estop_changes (version),
        lifted_at TEXT,
        lift_actor TEXT,
        lift_reason TEXT,
        lift_expired INTEGER,
        lifted_version INTEGER REFERENCES estop_changes (version)
      );
      CREATE INDEX estop_rules_active ON estop_rules (ordinal) WHERE lifted_at IS NULL;
      CREATE TABLE estop_audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        actor TEXT NOT NULL,
        reason TEXT,
        scope TEXT,
        rule_id TEXT,
        data TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE TABLE estop_tokens (
        ordinal INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        tenant TEXT,
        hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE estop_enforcers (
        ordinal INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        host TEXT,
        pid INTEGER,
        version INTEGER NOT NULL,
        in_flight INTEGER NOT NULL,
        last_seen_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'enforcers by when they were last seen',
    sql: `CREATE INDEX estop_enforcers_last_seen ON estop_enforcers (last_seen_at);`,
  },
  {
    version: 3,
    name: 'restore requests waiting for a second admin',
    sql: `
      CREATE TABLE estop_restore_requests (
        ordinal INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        request TEXT NOT NULL,
        resolution TEXT
      );
      CREATE INDEX estop_restore_requests_pending ON estop_restore_requests (ordinal) WHERE resolution IS NULL;
    `,
  },
  {
    version: 4,
    name: 'approvals, drafts and idempotency keys',
    // Requests and drafts are kept whole as JSON (call arguments included); the columns beside
    // them are the ones queries filter on. Idempotency keys expire by the callers' clock, in ms.
    sql: `
      CREATE TABLE estop_approvals (
        ordinal INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant TEXT NOT NULL,
        hash TEXT NOT NULL,
        request TEXT NOT NULL,
        decision TEXT,
        outcome TEXT,
        used_at TEXT
      );
      CREATE INDEX estop_approvals_pending ON estop_approvals (ordinal) WHERE decision IS NULL;
      CREATE INDEX estop_approvals_tenant ON estop_approvals (tenant, ordinal);
      CREATE TABLE estop_drafts (
        ordinal INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant TEXT NOT NULL,
        at TEXT NOT NULL,
        draft TEXT NOT NULL
      );
      CREATE INDEX estop_drafts_tenant ON estop_drafts (tenant, ordinal);
      CREATE TABLE estop_idempotency_keys (
        key TEXT PRIMARY KEY,
        claim_id TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        result TEXT
      ) WITHOUT ROWID;
      CREATE INDEX estop_idempotency_keys_expiry ON estop_idempotency_keys (expires_at_ms);
    `,
  },
  {
    version: 5,
    name: 'token principals and agent bindings, admin requests',
    // Tokens from before principals each become their own principal, but for the bootstrap
    // admin, which is the environment's admin; agent tokens from before bindings are bound to
    // their name, as new ones are by default.
    sql: `
      ALTER TABLE estop_tokens ADD COLUMN principal_id TEXT;
      ALTER TABLE estop_tokens ADD COLUMN agent TEXT;
      ALTER TABLE estop_tokens ADD COLUMN any_agent INTEGER NOT NULL DEFAULT 0;
      UPDATE estop_tokens SET principal_id = CASE
        WHEN name = 'bootstrap-admin' AND created_by = 'system' THEN 'p_bootstrap'
        ELSE 'p_' || id END;
      UPDATE estop_tokens SET agent = name WHERE role = 'agent';
      CREATE INDEX estop_tokens_principal ON estop_tokens (principal_id);
      CREATE TABLE estop_admin_requests (
        ordinal INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        request TEXT NOT NULL,
        resolution TEXT
      );
    `,
  },
  {
    version: 6,
    name: 'the tenant of a tenant-bound enforcer',
    // So that a replica shows another replica's enforcers only to their tenant's tokens.
    sql: `ALTER TABLE estop_enforcers ADD COLUMN tenant TEXT;`,
  },
];

/**
 * Applies the steps this database lacks, each recorded in `estop_migrations`. It runs in one
 * IMMEDIATE transaction, so processes starting together on one file apply each step once.
 */
export function migrateSqlite(db: Database.Database, migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS): void {
  db.transaction(() => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS estop_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      )
    `);
    const applied = new Set(db.prepare<[], number>('SELECT version FROM estop_migrations').pluck().all());
    const newest = Math.max(0, ...applied);
    const known = migrations.at(-1)?.version ?? 0;
    // An older release must not write to a schema it does not understand, e.g. after a rollback.
    if (newest > known) {
      throw new EstopError({
        code: 'config_invalid',
        message: `the database schema is at version ${newest}, newer than this estop understands (${known})`,
      });
    }
    const record = db.prepare<[number, string]>('INSERT INTO estop_migrations (version, name) VALUES (?, ?)');
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name);
    }
  }).immediate();
}
