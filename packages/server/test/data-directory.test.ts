import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isEstopError } from '@estop/core';
import { createSqliteStore } from '@estop/store-sqlite';
import { startServer, type Logger } from '../src/index.js';
import { sha256Hex } from '../src/tokens/token-secret.js';

const silent: Logger = { info: () => undefined, error: () => undefined };
const posix = process.platform !== 'win32';
const scratch = mkdtempSync(join(tmpdir(), 'estop-data-directory-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** A data directory left readable by everyone, with database files to match, as an older estop or a careless `cp` leaves it. */
function openDataDirectory(name: string): string {
  const data = join(scratch, name);
  mkdirSync(data, { recursive: true });
  chmodSync(data, 0o755);
  return data;
}

/** Starts the server on `data`, runs `check` while it runs (the WAL files exist only then), and stops it. */
async function whileServing(data: string, env: NodeJS.ProcessEnv = {}, check: () => void = () => undefined) {
  const { controlPlane } = await startServer({ data, port: 0 }, env, silent);
  try {
    check();
  } finally {
    await controlPlane.close();
  }
}

function assertOwnerOnly(data: string): void {
  assert.equal(modeOf(data).toString(8), '700');
  for (const file of ['estop.db', 'estop.db-wal', 'estop.db-shm', 'admin-token']) {
    assert.equal(modeOf(join(data, file)).toString(8), '600', file);
  }
}

describe('the data directory and its files are readable by their owner only', { skip: !posix }, () => {
  it('a new data directory is 0700, and the database, its WAL and the admin token are 0600', async () => {
    const data = join(scratch, 'new', 'data');
    const previous = process.umask(0o022);
    try {
      await whileServing(data, {}, () => assertOwnerOnly(data));
    } finally {
      process.umask(previous);
    }
  });

  it('an existing 0755 directory with 0644 files is made 0700 and 0600 at the next start', async () => {
    const data = openDataDirectory('existing');
    // Another process holding the database keeps its WAL files, as they are when a replica is running.
    const holder = createSqliteStore({ file: join(data, 'estop.db'), sha256: sha256Hex });
    try {
      await holder.migrate();
      await holder.tokens.list();
      for (const file of ['estop.db', 'estop.db-wal', 'estop.db-shm']) chmodSync(join(data, file), 0o644);
      writeFileSync(join(data, 'admin-token'), 'estop_earlier\n', { mode: 0o644 });
      chmodSync(join(data, 'admin-token'), 0o644);
      chmodSync(data, 0o755);

      await whileServing(data, { ESTOP_ADMIN_TOKEN: 'estop_data-directory-admin' }, () => assertOwnerOnly(data));
    } finally {
      await holder.close();
    }
  });

  it('an admin token written over a stale 0644 file is 0600', async () => {
    const data = openDataDirectory('stale-token');
    writeFileSync(join(data, 'admin-token'), 'estop_stale\n', { mode: 0o644 });
    chmodSync(join(data, 'admin-token'), 0o644);
    await whileServing(data);
    assert.equal(modeOf(join(data, 'admin-token')).toString(8), '600');
  });

  it('a data directory that belongs to another user is refused with what to do', async () => {
    const data = openDataDirectory('foreign');
    const uid = process.getuid?.() ?? 0;
    // Root can hand the directory to another user; anyone else finds one that is not theirs: /tmp.
    const foreign = uid === 0 ? data : tmpdir();
    if (uid === 0) chownSync(data, 65534, 65534);
    else assert.notEqual(statSync(foreign).uid, uid, 'the test needs a directory owned by someone else');
    await assert.rejects(whileServing(foreign), (error: unknown) => {
      assert.ok(isEstopError(error, 'config_invalid'), String(error));
      assert.match(error.message, /belongs to another user/);
      assert.match(error.message, /--data/);
      return true;
    });
    if (uid === 0) assert.equal(modeOf(data).toString(8), '755', 'a refused directory is left as it was');
  });
});
