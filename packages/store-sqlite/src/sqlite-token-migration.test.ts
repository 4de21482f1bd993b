import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  TOKENS_BEFORE_PRINCIPALS,
  TOKEN_COLUMNS_BEFORE_PRINCIPALS,
  expectTokensMigratedToPrincipals,
  sha256Hex,
} from '@estop/core/testing';
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
      `INSERT INTO estop_tokens (${TOKEN_COLUMNS_BEFORE_PRINCIPALS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const token of TOKENS_BEFORE_PRINCIPALS) insert.run(...token);
    db.close();
    await expectTokensMigratedToPrincipals(createSqliteStore({ file, sha256: sha256Hex }));
  });
});
