import { after, describe, it } from 'node:test';
import pg from 'pg';
import {
  ENFORCERS_BEFORE_REPLICAS,
  ENFORCER_COLUMNS_BEFORE_REPLICAS,
  expectEnforcersKeptThroughReplicas,
  sha256Hex,
} from '@estop/core/testing';
import { POSTGRES_MIGRATIONS, migratePostgres } from './postgres-migrations.js';
import { createPostgresStore } from './postgres-store.js';

const url = process.env.ESTOP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `estop_replica_migration_${process.pid}_${Date.now().toString(36)}`;

describe("enforcer records from before replicas' heartbeats are kept when migrated", () => {
  const admin = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 3000 });
  after(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`).catch(() => {});
    await admin.end();
  });

  it('each record stays as it was, naming no replica, and the upgraded schema takes heartbeats', async (context) => {
    let client: pg.PoolClient;
    try {
      client = await admin.connect();
    } catch (error) {
      if (process.env.CI === 'true') throw error;
      context.skip(`PostgreSQL is not reachable at ${url} (${(error as Error).message})`);
      return;
    }
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL search_path TO ${pg.escapeIdentifier(schema)}`);
      await migratePostgres(
        client,
        schema,
        POSTGRES_MIGRATIONS.filter((migration) => migration.version <= 10),
      );
      const insert = `INSERT INTO estop_enforcers (${ENFORCER_COLUMNS_BEFORE_REPLICAS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;
      for (const record of ENFORCERS_BEFORE_REPLICAS) await client.query(insert, [...record]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await expectEnforcersKeptThroughReplicas(createPostgresStore({ url, sha256: sha256Hex, schema }));
  });
});
