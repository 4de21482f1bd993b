import { escapeIdentifier, type PoolClient } from 'pg';
import { GENESIS_HASH } from '@estop/core';
import { pendingMigrations, sqlMigrations, type SqlMigration } from '@estop/core/sql';
import { POSTGRES_DIALECT } from './postgres-dialect.js';

/**
 * Every schema step, in order: the shared steps in PostgreSQL's column types, plus the head row
 * every writer locks (step 1), the NOT NULL that SQLite cannot add to an existing column (step 5)
 * and the store's random identity (step 10).
 * Tables are unqualified: each connection's search_path names the schema.
 */
export const POSTGRES_MIGRATIONS: readonly SqlMigration[] = sqlMigrations(POSTGRES_DIALECT.types, {
  1: `
    CREATE TABLE estop_head (
      id integer PRIMARY KEY CHECK (id = 1),
      version bigint NOT NULL,
      audit_seq bigint NOT NULL,
      audit_hash text NOT NULL
    );
    INSERT INTO estop_head (id, version, audit_seq, audit_hash) VALUES (1, 0, 0, '${GENESIS_HASH}');
  `,
  5: 'ALTER TABLE estop_tokens ALTER COLUMN principal_id SET NOT NULL;',
  10: 'INSERT INTO estop_store (id) VALUES (md5(random()::text || clock_timestamp()::text));',
});

/**
 * Creates the schema if missing and applies the steps it lacks, each recorded in
 * `estop_migrations`, all in one transaction. An advisory lock per schema makes replicas that
 * start together wait for each other instead of colliding. Run it inside a transaction.
 */
export async function migratePostgres(
  client: PoolClient,
  schema: string,
  migrations: readonly SqlMigration[] = POSTGRES_MIGRATIONS,
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
  const applied = await client.query<{ version: number }>('SELECT version FROM estop_migrations');
  for (const migration of pendingMigrations(
    applied.rows.map((row) => row.version),
    migrations,
  )) {
    await client.query(migration.sql);
    await client.query('INSERT INTO estop_migrations (version, name) VALUES ($1, $2)', [
      migration.version,
      migration.name,
    ]);
  }
}
