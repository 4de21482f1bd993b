import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore } from '@estop/core';
import { sha256Hex } from '@estop/core/testing';
import { createControlPlane, type ControlPlane } from '@estop/server';
import { main } from '../src/index.js';
import { bufferIo } from './fake-http.js';

const ADMIN = 'estop_audit-export-admin';

describe('an audit export verifies offline, and any tampered line is named', () => {
  let plane: ControlPlane;
  let url: string;
  let directory: string;

  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const io = bufferIo({ ESTOP_URL: url, ESTOP_TOKEN: ADMIN }, directory);
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  }

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'estop-audit-export-'));
    plane = await createControlPlane({ store: createMemoryStore({ sha256: sha256Hex }), adminToken: ADMIN });
    url = await plane.listen({ port: 0 });
    for (const tenant of ['acme', 'globex', 'initech']) {
      const killed = await cli([
        'kill',
        '--tenant',
        tenant,
        '--mode',
        'read_only',
        '--reason',
        `stop ${tenant}`,
        '--json',
      ]);
      assert.equal(killed.code, 0, killed.err);
    }
  });
  after(() => plane.close());

  let exported = '';
  it('exports every entry as one JSON line, in chain order', async () => {
    const result = await cli(['audit', 'export']);
    assert.equal(result.code, 0, result.err);
    exported = result.out;
    const entries = exported
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      entries.map((entry) => entry.seq),
      [1, 2, 3],
    );
    assert.deepEqual(
      entries.map((entry) => entry.action),
      ['rule-created', 'rule-created', 'rule-created'],
    );
    await writeFile(join(directory, 'audit.jsonl'), exported);
  });

  it('verifies the untouched export: exit 0', async () => {
    const result = await cli(['audit', 'verify', '--file', 'audit.jsonl']);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /audit export intact: 3 entries, seq 1 to 3/);
  });

  it('fails on an edited line, naming its entry and line: exit 1', async () => {
    const lines = exported.trim().split('\n');
    const second = JSON.parse(lines[1] as string);
    second.reason = 'nothing happened';
    lines[1] = JSON.stringify(second);
    await writeFile(join(directory, 'tampered.jsonl'), `${lines.join('\n')}\n`);
    const result = await cli(['audit', 'verify', '--file', 'tampered.jsonl']);
    assert.equal(result.code, 1);
    assert.match(result.out, /BROKEN at entry 2 \(line 2\): entry 2 was altered/);
  });

  it('fails on a removed line, naming the entry after the gap', async () => {
    const lines = exported.trim().split('\n');
    await writeFile(join(directory, 'removed.jsonl'), `${[lines[0], lines[2]].join('\n')}\n`);
    const result = await cli(['audit', 'verify', '--file', 'removed.jsonl', '--json']);
    assert.equal(result.code, 1);
    assert.deepEqual(JSON.parse(result.out), {
      ok: false,
      entries: 2,
      brokenAt: 3,
      line: 2,
      problem: 'expected entry 2, found 3',
    });
  });

  it('verifies an export that starts after entry N from its first prevHash, and says so', async () => {
    const partial = await cli(['audit', 'export', '--after', '1']);
    assert.equal(partial.code, 0, partial.err);
    await writeFile(join(directory, 'partial.jsonl'), partial.out);
    const firstPrevHash = JSON.parse(partial.out.split('\n')[0] as string).prevHash as string;
    const result = await cli(['audit', 'verify', '--file', 'partial.jsonl']);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /2 entries, seq 2 to 3/);
    assert.match(result.out, new RegExp(`starts after entry 1: checked from entry 2's prevHash ${firstPrevHash}`));
  });

  it('exports the refused change attempts too, so they verify with the rest', async () => {
    const refused = await main(
      ['kill', '--tenant', 'acme', '--reason', 'x'],
      bufferIo({ ESTOP_URL: url, ESTOP_TOKEN: 'estop_wrong' }),
    );
    assert.equal(refused, 1);
    const result = await cli(['audit', 'export']);
    const last = JSON.parse(result.out.trim().split('\n').at(-1) as string);
    assert.equal(last.action, 'change-refused');
    await writeFile(join(directory, 'with-refusal.jsonl'), result.out);
    assert.equal((await cli(['audit', 'verify', '--file', 'with-refusal.jsonl'])).code, 0);
    assert.ok((await readFile(join(directory, 'with-refusal.jsonl'), 'utf8')).includes('"code":"unauthorized"'));
  });

  it('fails on a line that is not JSON, and on a missing file', async () => {
    await writeFile(join(directory, 'garbage.jsonl'), `${exported.split('\n')[0]}\n{oops\n`);
    const garbage = await cli(['audit', 'verify', '--file', 'garbage.jsonl']);
    assert.equal(garbage.code, 1);
    assert.match(garbage.out, /BROKEN at entry 2 \(line 2\): line 2 is not JSON/);
    assert.equal((await cli(['audit', 'verify', '--file', 'missing.jsonl'])).code, 1);
  });
});
