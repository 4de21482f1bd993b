import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../src/main.js';
import { bufferIo } from './fake-http.js';

const scratch = mkdtempSync(join(tmpdir(), 'estop-serve-data-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A directory that belongs to someone else: root can hand one to another user; anyone else finds /tmp. */
function foreignDirectory(): string {
  if (process.getuid?.() !== 0) return tmpdir();
  const data = join(scratch, 'foreign');
  mkdirSync(data);
  chmodSync(data, 0o755);
  chownSync(data, 65534, 65534);
  return data;
}

describe(
  'estop serve refuses a data directory it cannot keep owner-only',
  { skip: process.platform === 'win32' },
  () => {
    it('exits 1 naming the directory, its owner and what to do, and leaves the directory as it was', async () => {
      const data = foreignDirectory();
      assert.notEqual(statSync(data).uid, process.getuid?.(), 'the test needs a directory owned by someone else');
      const before = statSync(data).mode;
      const io = bufferIo();
      assert.equal(await main(['serve', '--port', '0', '--data', data], io), 1);
      assert.ok(io.err().startsWith(`estop serve: the data directory "${data}" belongs to another user`), io.err());
      assert.match(io.err(), /run estop as that user, or choose a directory of your own with --data/);
      assert.equal(statSync(data).mode, before);
    });
  },
);
