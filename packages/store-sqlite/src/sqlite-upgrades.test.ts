import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
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
import { SQLITE_MIGRATIONS, migrateSqlite } from './sqlite-migrations.js';
import { createSqliteStore } from './sqlite-store.js';

const directories: string[] = [];
after(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

/**
 * A store on a fresh file migrated up to `version` only and holding `rows` in `table` (`columns`
 * as they were then), for the store's migrate() to upgrade.
 */
async function storeFrom(
  version: number,
  table: string,
  columns: string,
  rows: readonly (readonly unknown[])[],
): Promise<Store> {
  const directory = await mkdtemp(join(tmpdir(), 'estop-upgrade-'));
  directories.push(directory);
  const file = join(directory, 'estop.db');
  const db = new Database(file);
  migrateSqlite(
    db,
    SQLITE_MIGRATIONS.filter((migration) => migration.version <= version),
  );
  const insert = db.prepare(`INSERT INTO ${table} (${columns}) VALUES (${columns.replace(/[^,]+/g, '?')})`);
  for (const row of rows) insert.run(...row);
  db.close();
  return createSqliteStore({ file, sha256: sha256Hex });
}

describe('tokens from before principals get a principal and agent tokens a binding when migrated', () => {
  it('each token is its own principal, the bootstrap admin is p_bootstrap, an agent token is bound to its name', async () => {
    await expectTokensMigratedToPrincipals(
      await storeFrom(4, 'estop_tokens', TOKEN_COLUMNS_BEFORE_PRINCIPALS, TOKENS_BEFORE_PRINCIPALS),
    );
  });
});

describe("enforcer records from before replicas' heartbeats are kept when migrated", () => {
  it('each record stays as it was, naming no replica, and the upgraded schema takes heartbeats', async () => {
    await expectEnforcersKeptThroughReplicas(
      await storeFrom(10, 'estop_enforcers', ENFORCER_COLUMNS_BEFORE_REPLICAS, ENFORCERS_BEFORE_REPLICAS),
    );
  });
});

describe("replicas' heartbeats from before the version they vouch for are kept when migrated", () => {
  it('a heartbeat from before vouches for no version; one written after does', async () => {
    await expectHeartbeatsKeptThroughAppliedVersion(
      await storeFrom(11, 'estop_replicas', REPLICA_COLUMNS_BEFORE_APPLIED, REPLICAS_BEFORE_APPLIED),
    );
  });
});
