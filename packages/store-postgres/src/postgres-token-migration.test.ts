import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { BOOTSTRAP_PRINCIPAL_ID } from '@estop/core';
import { sha256Hex } from '@estop/core/testing';
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
      const at = '2026-03-01T09:00:00.000Z';
      const insert = `INSERT INTO estop_tokens (id, name, role, tenant, hash, created_at, created_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7)`;
      await client.query(insert, ['t_boot', 'bootstrap-admin', 'admin', null, 'h1', at, 'system']);
      await client.query(insert, ['t_ops', 'oncall', 'operator', 'acme', 'h2', at, 'bootstrap-admin']);
      await client.query(insert, ['t_agent', 'mailer', 'agent', 'acme', 'h3', at, 'bootstrap-admin']);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const store = createPostgresStore({ url, sha256: sha256Hex, schema });
    try {
      await store.migrate();
      const tokens = await store.tokens.list();
      assert.deepEqual(
        tokens.map((token) => [token.id, token.principalId, token.agent, token.anyAgent]),
        [
          ['t_boot', BOOTSTRAP_PRINCIPAL_ID, undefined, undefined],
          ['t_ops', 'p_t_ops', undefined, undefined],
          ['t_agent', 'p_t_agent', 'mailer', undefined],
        ],
      );
    } finally {
      await store.close();
    }
  });
});
