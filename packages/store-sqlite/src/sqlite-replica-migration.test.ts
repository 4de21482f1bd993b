import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  ENFORCERS_BEFORE_REPLICAS,
  ENFORCER_COLUMNS_BEFORE_REPLICAS,
  expectEnforcersKeptThroughReplicas,
  sha256Hex,
} from '@estop/core/testing';
import { SQLITE_MIGRATIONS, migrateSqlite } from './sqlite-migrations.js';
import { createSqliteStore } from './sqlite-store.js';

const directories: string[] = [];
after(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe("enforcer records from before replicas' heartbeats are kept when migrated", () => {
  it('each record stays as it was, naming no replica, and the upgraded schema takes heartbeats', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'estop-replica-migration-'));
    directories.push(directory);
    const file = join(directory, 'estop.db');
    const db = new Database(file);
    migrateSqlite(
      db,
      SQLITE_MIGRATIONS.filter((migration) => migration.version <= 10),
    );
    const insert = db.prepare(
      `INSERT INTO estop_enforcers (${ENFORCER_COLUMNS_BEFORE_REPLICAS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const record of ENFORCERS_BEFORE_REPLICAS) insert.run(...record);
    db.close();
    await expectEnforcersKeptThroughReplicas(createSqliteStore({ file, sha256: sha256Hex }));
  });
});
