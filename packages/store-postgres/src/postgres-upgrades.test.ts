import { after, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import type { Store } from '@estop/core';
import {
  ENFORCERS_BEFORE_REPLICAS,
  ENFORCER_COLUMNS_BEFORE_REPLICAS,
  REPLICAS_BEFORE_APPLIED,
  REPLICA_COLUMNS_BEFORE_APPLIED,
  TOKENS_BEFORE_PRINCIPALS,
  TOKEN_COLUMNS_BEFORE_PRINCIPALS,
  expectEnforcersKeptThroughReplicas,
  expectHeartbeatsKeptThroughAppliedVersion,
  expectTokensMigratedToPrincipals,
  sha256Hex,
} from '@estop/core/testing';
import { POSTGRES_MIGRATIONS, migratePostgres } from './postgres-migrations.js';
import { createPostgresStore } from './postgres-store.js';

const url = process.env.ESTOP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 3000 });
const schemas: string[] = [];
after(async () => {
  for (const schema of schemas) {
    await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`).catch(() => {});
  }
  await admin.end();
});

/**
 * A store on a schema of its own, migrated up to `version` only and holding `rows` in `table`
 * (`columns` as they were then), for the store's migrate() to upgrade; undefined (the test
 * skipped) when PostgreSQL cannot be reached outside CI.
 */
async function storeFrom(
  context: TestContext,
  version: number,
  table: string,
  columns: string,
  rows: readonly (readonly unknown[])[],
): Promise<Store | undefined> {
  const schema = `estop_upgrade_${version}_${process.pid}_${Date.now().toString(36)}`;
  schemas.push(schema);
  let client: pg.PoolClient;
  try {
    client = await admin.connect();
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    context.skip(`PostgreSQL is not reachable at ${url} (${(error as Error).message})`);
    return undefined;
  }
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL search_path TO ${pg.escapeIdentifier(schema)}`);
    await migratePostgres(
      client,
      schema,
      POSTGRES_MIGRATIONS.filter((migration) => migration.version <= version),
    );
    const placeholders = columns.split(',').map((_, index) => `$${index + 1}`);
    const insert = `INSERT INTO ${table} (${columns}) VALUES (${placeholders.join(', ')})`;
    for (const row of rows) await client.query(insert, [...row]);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  return createPostgresStore({ url, sha256: sha256Hex, schema });
}

describe('tokens from before principals get a principal and agent tokens a binding when migrated', () => {
  it('each token is its own principal, the bootstrap admin is p_bootstrap, an agent token is bound to its name', async (context) => {
    const store = await storeFrom(
      context,
      4,
      'estop_tokens',
      TOKEN_COLUMNS_BEFORE_PRINCIPALS,
      TOKENS_BEFORE_PRINCIPALS,
    );
    if (store !== undefined) await expectTokensMigratedToPrincipals(store);
  });
});

describe("enforcer records from before replicas' heartbeats are kept when migrated", () => {
  it('each record stays as it was, naming no replica, and the upgraded schema takes heartbeats', async (context) => {
    const store = await storeFrom(
      context,
      10,
      'estop_enforcers',
      ENFORCER_COLUMNS_BEFORE_REPLICAS,
      ENFORCERS_BEFORE_REPLICAS,
    );
    if (store !== undefined) await expectEnforcersKeptThroughReplicas(store);
  });
});

describe("replicas' heartbeats from before the version they vouch for are kept when migrated", () => {
  it('a heartbeat from before vouches for no version; one written after does', async (context) => {
    const store = await storeFrom(
      context,
      11,
      'estop_replicas',
      REPLICA_COLUMNS_BEFORE_APPLIED,
      REPLICAS_BEFORE_APPLIED,
    );
    if (store !== undefined) await expectHeartbeatsKeptThroughAppliedVersion(store);
  });
});
