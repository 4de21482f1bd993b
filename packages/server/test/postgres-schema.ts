import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';

/** The PostgreSQL the tests use; ESTOP_TEST_DATABASE_URL overrides it. */
export const databaseUrl = process.env.ESTOP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh schema name for one test file, and `ready(context)`, which resolves true when
 * PostgreSQL answers. When it does not, the test fails under CI (which must have PostgreSQL)
 * and is skipped elsewhere with a message naming what is missing. `drop()` removes the schema.
 */
export function postgresSchema(prefix: string): {
  schema: string;
  ready(context: TestContext): Promise<boolean>;
  drop(): Promise<void>;
} {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  return {
    schema,
    async ready(context) {
      const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
      const problem = await probe.connect().then(
        () => undefined,
        (error: Error) => error.message,
      );
      await probe.end().catch(() => undefined);
      if (problem === undefined) return true;
      if (process.env.CI === 'true') assert.fail(`CI needs PostgreSQL at ${databaseUrl}: ${problem}`);
      context.skip(`PostgreSQL is not reachable at ${databaseUrl} (${problem})`);
      return false;
    },
    async drop() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect().catch(() => undefined);
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
