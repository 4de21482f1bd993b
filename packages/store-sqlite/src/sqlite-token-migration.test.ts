import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { BOOTSTRAP_PRINCIPAL_ID } from '@estop/core';
import { sha256Hex } from '@estop/core/testing';
import { SQLITE_MIGRATIONS, migrateSqlite } from './sqlite-migrations.js';
import { createSqliteStore } from './sqlite-store.js';

const directories: string[] = [];
after(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('tokens from before principals get a principal and agent tokens a binding when migrated', () => {
  it('each token is its own principal, the bootstrap admin is p_bootstrap, an agent token is bound to its name', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'estop-token-migration-'));
    directories.push(directory);
    const file = join(directory, 'estop.db');
    const db = new Database(file);
    migrateSqlite(
      db,
      SQLITE_MIGRATIONS.filter((migration) => migration.version <= 4),
    );
    const insert = db.prepare(
      `INSERT INTO estop_tokens (id, name, role, tenant, hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const at = '2026-03-01T09:00:00.000Z';
    insert.run('t_boot', 'bootstrap-admin', 'admin', null, 'h1', at, 'system');
    insert.run('t_ops', 'oncall', 'operator', 'acme', 'h2', at, 'bootstrap-admin');
    insert.run('t_agent', 'mailer', 'agent', 'acme', 'h3', at, 'bootstrap-admin');
    db.close();

    const store = createSqliteStore({ file, sha256: sha256Hex });
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
