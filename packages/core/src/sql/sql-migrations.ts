import { EstopError } from '../errors.js';
import type { SqlColumnTypes } from './sql-dialect.js';

/** One schema step. Steps are never edited once released; a change is a new step. */
export interface SqlMigration {
  version: number;
  name: string;
  sql: string;
}

/** A step of the shared schema, written once for every dialect's column types. */
interface SharedStep {
  version: number;
  name: string;
  sql(types: SqlColumnTypes): string;
}

const STEPS: readonly SharedStep[] = [
  {
    version: 1,
    name: 'rules, change events, audit chain, tokens, enforcers',
    sql: (t) => `
      CREATE TABLE estop_changes (
        version ${t.bigint} PRIMARY KEY,
        at ${t.text} NOT NULL,
        changes ${t.json} NOT NULL
      );
      CREATE TABLE estop_rules (
        ordinal ${t.ordinal},
        id ${t.text} NOT NULL UNIQUE,
        scope ${t.json} NOT NULL,
        mode ${t.text} NOT NULL,
        reason ${t.text} NOT NULL,
        actor ${t.json} NOT NULL,
        created_at ${t.text} NOT NULL,
        expires_at ${t.text},
        cancel_in_flight ${t.boolean} NOT NULL,
        created_version ${t.bigint} NOT NULL REFERENCES estop_changes (version),
        lifted_at ${t.text},
        lift_actor ${t.json},
        lift_reason ${t.text},
        lift_expired ${t.boolean},
        lifted_version ${t.bigint} REFERENCES estop_changes (version)
      );
      CREATE INDEX estop_rules_active ON estop_rules (ordinal) WHERE lifted_at IS NULL;
      CREATE TABLE estop_audit (
        seq ${t.bigint} PRIMARY KEY,
        at ${t.text} NOT NULL,
        action ${t.text} NOT NULL,
        actor ${t.json} NOT NULL,
        reason ${t.text},
        scope ${t.json},
        rule_id ${t.text},
        data ${t.json},
        prev_hash ${t.text} NOT NULL,
        hash ${t.text} NOT NULL
      );
      CREATE TABLE estop_tokens (
        ordinal ${t.ordinal},
        id ${t.text} NOT NULL UNIQUE,
        name ${t.text} NOT NULL,
        role ${t.text} NOT NULL,
        tenant ${t.text},
        hash ${t.text} NOT NULL UNIQUE,
        created_at ${t.text} NOT NULL,
        created_by ${t.text} NOT NULL,
        revoked_at ${t.text}
      );
      CREATE TABLE estop_enforcers (
        ordinal ${t.ordinal},
        id ${t.text} NOT NULL UNIQUE,
        name ${t.text} NOT NULL,
        kind ${t.text} NOT NULL,
        host ${t.text},
        pid ${t.integer},
        version ${t.bigint} NOT NULL,
        in_flight ${t.integer} NOT NULL,
        last_seen_at ${t.text} NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'enforcers by when they were last seen',
    sql: () => `CREATE INDEX estop_enforcers_last_seen ON estop_enforcers (last_seen_at);`,
  },
  {
    version: 3,
    name: 'restore requests waiting for a second admin',
    sql: (t) => `
      CREATE TABLE estop_restore_requests (
        ordinal ${t.ordinal},
        id ${t.text} NOT NULL UNIQUE,
        request ${t.json} NOT NULL,
        resolution ${t.json}
      );
      CREATE INDEX estop_restore_requests_pending ON estop_restore_requests (ordinal) WHERE resolution IS NULL;
    `,
  },
  {
    version: 4,
    name: 'approvals, drafts and idempotency keys',
    // Requests, decisions and drafts are JSON kept as text, not json: an agent's arguments are any
    // JSON, and PostgreSQL's jsonb refuses strings holding \u0000. The columns beside them are the
    // ones queries filter on. Idempotency keys expire by the callers' clock, in ms.
    sql: (t) => `
      CREATE TABLE estop_approvals (
        ordinal ${t.ordinal},
        id ${t.text} NOT NULL UNIQUE,
        tenant ${t.text} NOT NULL,
        hash ${t.text} NOT NULL,
        request ${t.text} NOT NULL,
        decision ${t.text},
        outcome ${t.text},
        used_at ${t.text}
      );
      CREATE INDEX estop_approvals_pending ON estop_approvals (ordinal) WHERE decision IS NULL;
      CREATE INDEX estop_approvals_tenant ON estop_approvals (tenant, ordinal);
      CREATE TABLE estop_drafts (
        ordinal ${t.ordinal},
        id ${t.text} NOT NULL UNIQUE,
        tenant ${t.text} NOT NULL,
        at ${t.text} NOT NULL,
        draft ${t.text} NOT NULL
      );
      CREATE INDEX estop_drafts_tenant ON estop_drafts (tenant, ordinal);
      CREATE TABLE estop_idempotency_keys (
        key ${t.text} PRIMARY KEY,
        claim_id ${t.text} NOT NULL,
        expires_at_ms ${t.bigint} NOT NULL,
        result ${t.text}
      )${t.keyedTableSuffix};
      CREATE INDEX estop_idempotency_keys_expiry ON estop_idempotency_keys (expires_at_ms);
    `,
  },
  {
    version: 5,
    name: 'token principals and agent bindings, admin requests',
    // Tokens from before principals each become their own principal, but for the bootstrap
    // admin, which is the environment's admin; agent tokens from before bindings are bound to
    // their name, as new ones are by default. Requests are JSON kept as text, as approvals are.
    sql: (t) => `
      ALTER TABLE estop_tokens ADD COLUMN principal_id ${t.text};
      ALTER TABLE estop_tokens ADD COLUMN agent ${t.text};
      ALTER TABLE estop_tokens ADD COLUMN any_agent ${t.boolean} NOT NULL DEFAULT ${t.false};
      UPDATE estop_tokens SET principal_id = CASE
        WHEN name = 'bootstrap-admin' AND created_by = 'system' THEN 'p_bootstrap'
        ELSE 'p_' || id END;
      UPDATE estop_tokens SET agent = name WHERE role = 'agent';
      CREATE INDEX estop_tokens_principal ON estop_tokens (principal_id);
      CREATE TABLE estop_admin_requests (
        ordinal ${t.ordinal},
        id ${t.text} NOT NULL UNIQUE,
        request ${t.text} NOT NULL,
        resolution ${t.text}
      );
    `,
  },
  {
    version: 6,
    name: 'the tenant of a tenant-bound enforcer',
    // So that a replica shows another replica's enforcers only to their tenant's tokens.
    sql: (t) => `ALTER TABLE estop_enforcers ADD COLUMN tenant ${t.text};`,
  },
  {
    version: 7,
    name: 'scheduled stops: when a rule starts, and whether its start is audited',
    // start_recorded is set once, with the rule-started audit entry, by whichever replica gets there first.
    sql: (t) => `
      ALTER TABLE estop_rules ADD COLUMN starts_at ${t.text};
      ALTER TABLE estop_rules ADD COLUMN start_recorded ${t.boolean} NOT NULL DEFAULT ${t.false};
    `,
  },
  {
    version: 8,
    name: "notifications: receivers' cursors over the audit log, deliveries, entries recorded once",
    // A receiver's cursor is the audit position through which its deliveries are queued; a
    // delivery's id is stable (receiver and what it notifies), so replicas queue it once. The body
    // is kept as sent, so every attempt signs the same bytes. Epoch ms by the writers' clocks.
    sql: (t) => `
      CREATE TABLE estop_notify_cursors (
        receiver ${t.text} PRIMARY KEY,
        seq ${t.bigint} NOT NULL
      )${t.keyedTableSuffix};
      CREATE TABLE estop_notify_deliveries (
        ordinal ${t.ordinal},
        id ${t.text} NOT NULL UNIQUE,
        receiver ${t.text} NOT NULL,
        event ${t.text} NOT NULL,
        seq ${t.bigint},
        body ${t.text} NOT NULL,
        created_at ${t.text} NOT NULL,
        status ${t.text} NOT NULL,
        attempts ${t.integer} NOT NULL,
        next_attempt_ms ${t.bigint} NOT NULL,
        lease_until_ms ${t.bigint} NOT NULL,
        last_error ${t.text},
        delivered_at ${t.text}
      );
      CREATE INDEX estop_notify_deliveries_due ON estop_notify_deliveries (next_attempt_ms) WHERE status = 'pending';
      CREATE INDEX estop_notify_deliveries_status ON estop_notify_deliveries (status, ordinal);
      CREATE TABLE estop_once (
        key ${t.text} PRIMARY KEY,
        at ${t.text} NOT NULL
      )${t.keyedTableSuffix};
    `,
  },
  {
    version: 9,
    name: 'runs shared by replicas: each run as its replica last wrote it',
    // The record is kept as JSON: only its replica changes it, the others list it as written.
    sql: (t) => `
      CREATE TABLE estop_runs (
        id ${t.text} PRIMARY KEY,
        record ${t.text} NOT NULL,
        heartbeat_ms ${t.bigint} NOT NULL,
        heard_at ${t.text} NOT NULL
      )${t.keyedTableSuffix};
      CREATE INDEX estop_runs_heard ON estop_runs (heard_at);
    `,
  },
  {
    version: 10,
    name: "the store's identity, written once",
    // One row, a random id each dialect writes in its own addition to this step: enforcers tell a
    // replica that is behind (same id, an older version) from a store that was reset (another id).
    sql: (t) => `
      CREATE TABLE estop_store (
        id ${t.text} PRIMARY KEY
      )${t.keyedTableSuffix};
    `,
  },
  {
    version: 11,
    name: "replicas' heartbeats, and the replica holding each enforcer's stream",
    // A replica writes one heartbeat per flush instead of refreshing each of its enforcers' records;
    // a record names the replica holding its stream (NULL: none, as for every record before).
    sql: (t) => `
      CREATE TABLE estop_replicas (
        id ${t.text} PRIMARY KEY,
        seen_at ${t.text} NOT NULL
      )${t.keyedTableSuffix};
      ALTER TABLE estop_enforcers ADD COLUMN replica ${t.text};
    `,
  },
  {
    version: 12,
    name: "the version every enforcer of a replica has applied, on the replica's heartbeat",
    // NULL (every heartbeat before) vouches for no version: each record's own counts.
    sql: (t) => `
      ALTER TABLE estop_replicas ADD COLUMN applied_version ${t.bigint};
    `,
  },
];

/**
 * Every schema step, in order, in one dialect's column types. `additions` are statements a dialect
 * runs after a step's shared ones (PostgreSQL's head row in step 1, for instance); released steps
 * keep theirs, and a new table or column goes in a new shared step.
 *
 * @example
 * const SQLITE_MIGRATIONS = sqlMigrations(SQLITE_DIALECT.types);
 */
export function sqlMigrations(types: SqlColumnTypes, additions: Readonly<Record<number, string>> = {}): SqlMigration[] {
  return STEPS.map((step) => ({
    version: step.version,
    name: step.name,
    sql: `${step.sql(types)}\n${additions[step.version] ?? ''}`,
  }));
}

/**
 * The steps a database whose applied versions are `applied` still lacks, in order.
 *
 * @throws EstopError `config_invalid` when the database is at a version newer than `migrations`
 * know: an older release must not write to a schema it does not understand, e.g. after a rollback.
 */
export function pendingMigrations(
  applied: Iterable<number>,
  migrations: readonly SqlMigration[],
): readonly SqlMigration[] {
  const done = new Set(applied);
  const newest = Math.max(0, ...done);
  const known = migrations.at(-1)?.version ?? 0;
  if (newest > known) {
    throw new EstopError({
      code: 'config_invalid',
      message: `the database schema is at version ${newest}, newer than this estop understands (${known})`,
    });
  }
  return migrations.filter((migration) => !done.has(migration.version));
}
