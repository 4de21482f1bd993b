import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Checkpointer } from './checkpointer.js';

const directories: string[] = [];
after(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('a WAL database is checkpointed by a thread of its own', () => {
  it("copies the WAL into the database file while the connection's own checkpoints are off", async () => {
    const directory = await mkdtemp(join(tmpdir(), 'estop-checkpoint-'));
    directories.push(directory);
    const file = join(directory, 'db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
    const checkpoints = new Checkpointer(file, [db]);
    try {
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
      const before = (await stat(file)).size;
      const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
      for (let batch = 0; batch < 50; batch += 1) {
        db.transaction(() => {
          for (let row = 0; row < 100; row += 1) insert.run(`${batch}-${row}`, 'x'.repeat(200));
        })();
      }
      // Nothing in this thread checkpoints: the file grows only by the checkpointing thread.
      const deadline = Date.now() + 10_000;
      while ((await stat(file)).size <= before + 1_000_000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok((await stat(file)).size > before + 1_000_000, 'the WAL was not checkpointed into the file');
    } finally {
      await checkpoints.close();
      await checkpoints.close();
      db.close();
    }
  });
});
