import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isEstopError } from '@estop/core';
import { createSqliteStore } from './sqlite-store.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const scratch = mkdtempSync(join(tmpdir(), 'estop-sqlite-modes-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

describe('the SQLite files are readable by their owner only', { skip: process.platform === 'win32' }, () => {
  it('a new database, its WAL and its shared-memory file are 0600 whatever the umask', async () => {
    const file = join(scratch, 'new', 'estop.db');
    const previous = process.umask(0o022);
    const store = createSqliteStore({ file, sha256 });
    process.umask(previous);
    try {
      await store.migrate();
      await store.tokens.list();
      assert.equal(modeOf(join(scratch, 'new')), '700');
      for (const suffix of ['', '-wal', '-shm']) assert.equal(modeOf(`${file}${suffix}`), '600', suffix);
    } finally {
      await store.close();
    }
  });

  it('files left 0644 by an earlier version are narrowed when the store opens them', async () => {
    const file = join(scratch, 'earlier.db');
    const holder = createSqliteStore({ file, sha256 });
    try {
      await holder.migrate();
      await holder.tokens.list();
      for (const suffix of ['', '-wal', '-shm']) chmodSync(`${file}${suffix}`, 0o644);
      const store = createSqliteStore({ file, sha256 });
      await store.close();
      for (const suffix of ['', '-wal', '-shm']) assert.equal(modeOf(`${file}${suffix}`), '600', suffix);
    } finally {
      await holder.close();
    }
  });

  it('a database file of another user is refused with what to do', { skip: process.getuid?.() !== 0 }, async () => {
    const file = join(scratch, 'foreign.db');
    await createSqliteStore({ file, sha256 }).close();
    chmodSync(file, 0o644);
    chownSync(file, 65534, 65534);
    assert.throws(
      () => createSqliteStore({ file, sha256 }),
      (error: unknown) =>
        isEstopError(error, 'config_invalid') &&
        /belongs to another user \(uid 65534\).*run estop as the user who owns it/.test(error.message),
    );
    assert.equal(modeOf(file), '644');
  });
});
