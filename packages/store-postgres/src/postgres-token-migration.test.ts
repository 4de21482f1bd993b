import { after, describe, it } from 'node:test';
import pg from 'pg';
import {
  TOKENS_BEFORE_PRINCIPALS,
  TOKEN_COLUMNS_BEFORE_PRINCIPALS,
  expectTokensMigratedToPrincipals,
  sha256Hex,
} from '@estop/core/testing';
import { POSTGRES_MIGRATIONS, migratePostgres } from './postgres-migrations.js';
import { createPostgresStore } from './postgres-store.js';

const url = process.env.ESTOP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `estop_token_migration_${process.pid}_${Date.now().toString(36)}`;

describe('tokens from before principals get a principal and agent tokens a binding when migrated', () => {
  const admin = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 3000 });
  after(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`).catch(() => {});
    await admin.end();
  });

  it('each token is its own principal, the bootstrap admin is p_bootstrap, an agent token is bound to its name', async (context) => {
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
        POSTGRES_MIGRATIONS.filter((migration) => migration.version <= 4),
      );
      const insert = `INSERT INTO estop_tokens (${TOKEN_COLUMNS_BEFORE_PRINCIPALS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`;
      for (const token of TOKENS_BEFORE_PRINCIPALS) await client.query(insert, [...token]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await expectTokensMigratedToPrincipals(createPostgresStore({ url, sha256: sha256Hex, schema }));
  });
});
