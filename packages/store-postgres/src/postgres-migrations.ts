import { escapeIdentifier, type PoolClient } from 'pg';
import { EstopError, GENESIS_HASH } from '@estop/core';

/** One schema step. Steps are never edited once released; a change is a new step. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/** Every schema step, in order. Tables are unqualified: each connection's search_path names the schema. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'head row, rules, change events, audit chain, tokens, enforcers',
    sql: `
      CREATE TABLE estop_head (
        id integer PRIMARY KEY CHECK (id = 1),
        version bigint NOT NULL,
        audit_seq bigint NOT NULL,
        audit_hash text NOT NULL
      );
      INSERT INTO estop_head (id, version, audit_seq, audit_hash) VALUES (1, 0, 0, '${GENESIS_HASH}');
      CREATE TABLE estop_changes (
        version bigint PRIMARY KEY,
        at text NOT NULL,
        changes jsonb NOT NULL
      );
      CREATE TABLE estop_rules (
        ordinal bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        scope jsonb NOT NULL,
        mode text NOT NULL,
        reason text NOT NULL,
        actor jsonb NOT NULL,
        created_at text NOT NULL,
        expires_at text,
        cancel_in_flight boolean NOT NULL,
        created_version bigint NOT NULL REFERENCES estop_changes (version),
        lifted_at text,
        lift_actor jsonb,
        lift_reason text,
        lift_expired boolean,
        lifted_version bigint REFERENCES estop_changes (version)
      );
      CREATE INDEX estop_rules_active ON estop_rules (ordinal) WHERE lifted_at IS NULL;
      CREATE TABLE estop_audit (
        seq bigint PRIMARY KEY,
        at text NOT NULL,
        action text NOT NULL,
        actor jsonb NOT NULL,
        reason text,
        scope jsonb,
        rule_id text,
        data jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL
      );
      CREATE TABLE estop_tokens (
        ordinal bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        name text NOT NULL,
        role text NOT NULL,
        tenant text,
        hash text NOT NULL UNIQUE,
        created_at text NOT NULL,
        created_by text NOT NULL,
        revoked_at text
      );
      CREATE TABLE estop_enforcers (
        ordinal bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        name text NOT NULL,
        kind text NOT NULL,
        host text,
        pid integer,
        version bigint NOT NULL,
        in_flight integer NOT NULL,
        last_seen_at text NOT NULL
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
        ordinal bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        request jsonb NOT NULL,
        resolution jsonb
      );
      CREATE INDEX estop_restore_requests_pending ON estop_restore_requests (ordinal) WHERE resolution IS NULL;
    `,
  },
  {
    version: 4,
    name: 'approvals, drafts and idempotency keys',
    // Requests, decisions and drafts are JSON kept as text, not jsonb: an agent's arguments are any
    // JSON, and jsonb refuses strings holding \u0000. The columns beside them are the ones queries
    // filter on. Idempotency keys expire by the callers' clock, in ms.
    sql: `
      CREATE TABLE estop_approvals (
        ordinal bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        tenant text NOT NULL,
        hash text NOT NULL,
        request text NOT NULL,
        decision text,
        outcome text,
        used_at text
      );
      CREATE INDEX estop_approvals_pending ON estop_approvals (ordinal) WHERE decision IS NULL;
      CREATE INDEX estop_approvals_tenant ON estop_approvals (tenant, ordinal);
      CREATE TABLE estop_drafts (
        ordinal bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        tenant text NOT NULL,
        at text NOT NULL,
        draft text NOT NULL
      );
      CREATE INDEX estop_drafts_tenant ON estop_drafts (tenant, ordinal);
      CREATE TABLE estop_idempotency_keys (
        key text PRIMARY KEY,
        claim_id text NOT NULL,
        expires_at_ms bigint NOT NULL,
        result text
      );
      CREATE INDEX estop_idempotency_keys_expiry ON estop_idempotency_keys (expires_at_ms);
    `,
  },
  {
    version: 5,
    name: 'token principals and agent bindings, admin requests',
    // Tokens from before principals each become their own principal, but for the bootstrap
    // admin, which is the environment's admin; agent tokens from before bindings are bound to
    // their name, as new ones are by default. Requests are JSON kept as text, as approvals are.
    sql: `
      ALTER TABLE estop_tokens ADD COLUMN principal_id text;
      ALTER TABLE estop_tokens ADD COLUMN agent text;
      ALTER TABLE estop_tokens ADD COLUMN any_agent boolean NOT NULL DEFAULT false;
      UPDATE estop_tokens SET principal_id = CASE
        WHEN name = 'bootstrap-admin' AND created_by = 'system' THEN 'p_bootstrap'
        ELSE 'p_' || id END;
      ALTER TABLE estop_tokens ALTER COLUMN principal_id SET NOT NULL;
      UPDATE estop_tokens SET agent = name WHERE role = 'agent';
      CREATE INDEX estop_tokens_principal ON estop_tokens (principal_id);
      CREATE TABLE estop_admin_requests (
        ordinal bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        request text NOT NULL,
        resolution text
      );
    `,
  },
  {
    version: 6,
    name: 'the tenant of a tenant-bound enforcer',
    // So that a replica shows another replica's enforcers only to their tenant's tokens.
    sql: `ALTER TABLE estop_enforcers ADD COLUMN tenant text;`,
  },
];

/**
 * Creates the schema if missing and applies the steps it lacks, each recorded in
 * `estop_migrations`, all in one transaction. An advisory lock per schema makes replicas that
 * start together wait for each other instead of colliding. Run it inside a transaction.
 */
export async function migratePostgres(
  client: PoolClient,
  schema: string,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`estop-migrate:${schema}`]);
  // Checked first because CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database,
  // which a least-privilege role using an existing schema does not have.
  const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${escapeIdentifier(schema)}`);
  await client.query(`
    CREATE TABLE IF NOT EXISTS estop_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )
  `);
  const applied = new Set(
    (await client.query<{ version: number }>('SELECT version FROM estop_migrations')).rows.map((row) => row.version),
  );
  const newest = Math.max(0, ...applied);
  const known = migrations.at(-1)?.version ?? 0;
  // An older release must not write to a schema it does not understand, e.g. after a rollback.
  if (newest > known) {
    throw new EstopError({
      code: 'config_invalid',
      message: `the database schema is at version ${newest}, newer than this estop understands (${known})`,
    });
  }
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    await client.query(migration.sql);
    await client.query('INSERT INTO estop_migrations (version, name) VALUES ($1, $2)', [
      migration.version,
      migration.name,
    ]);
  }
}
