import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isEstopError } from '@estop/core';
import { createCommitGroup } from './sqlite-commit-group.js';
import type { SqliteContext } from './sqlite-context.js';
import { WalSync } from './wal-sync.js';

const directories: string[] = [];
after(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

async function freshDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'estop-wal-'));
  directories.push(directory);
  return directory;
}

/** A context on an in-memory database with one table, for the commit group alone. */
function memoryContext(): SqliteContext {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  return {
    db,
    sha256: () => '',
    statements: () => {
      throw new Error('not used');
    },
    run: async (work) => work(),
    readOne: async () => undefined,
  };
}

describe('WalSync', () => {
  it('syncs an existing file, and many callers at once share the syncs', async () => {
    const path = join(await freshDirectory(), 'db-wal');
    await writeFile(path, 'frames');
    const wal = new WalSync(path);
    await Promise.all(Array.from({ length: 50 }, () => wal.sync()));
    await wal.close();
  });

  it('fails while the file cannot be opened, and opens it again at the next sync', async () => {
    const path = join(await freshDirectory(), 'db-wal');
    const wal = new WalSync(path);
    await assert.rejects(wal.sync(), { code: 'ENOENT' });
    await writeFile(path, 'frames');
    await wal.sync();
    await wal.close();
  });
});

describe('a commit group with a durability step', () => {
  it('answers its writes only once the step has put them on disk', async () => {
    const context = memoryContext();
    let release!: () => void;
    const synced = new Promise<void>((resolve) => (release = resolve));
    const commit = createCommitGroup(context, () => synced);
    let answered = false;
    const write = commit(() => context.db.prepare('INSERT INTO t VALUES (?)').run('a').changes).then((changes) => {
      answered = true;
      return changes;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Committed (visible to readers) but not answered before the sync.
    assert.deepEqual(context.db.prepare('SELECT count(*) AS n FROM t').get(), { n: 1 });
    assert.equal(answered, false);
    release();
    assert.equal(await write, 1);
  });

  it('fails every write of the group when the sync fails, as unavailable', async () => {
    const context = memoryContext();
    const commit = createCommitGroup(context, async () => {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    });
    const writes = ['a', 'b'].map((key) => commit(() => context.db.prepare('INSERT INTO t VALUES (?)').run(key)));
    for (const write of writes) {
      await assert.rejects(write, (error: unknown) => isEstopError(error, 'unavailable'));
    }
  });
});
