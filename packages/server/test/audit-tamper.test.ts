import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteStore } from '@estop/store-sqlite';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { startTestControlPlane } from './harness.js';

async function withFilledLog(tamper: (db: Database.Database) => void) {
  const file = join(await mkdtemp(join(tmpdir(), 'estop-tamper-')), 'estop.db');
  const cp = await startTestControlPlane({ store: createSqliteStore({ file, sha256: sha256Hex }) });
  try {
    for (const tenant of ['a', 'b', 'c']) {
      const created = await cp.request('/v1/rules', {
        body: { scope: { tenant }, mode: 'read_only', reason: `stop ${tenant}` },
      });
      await cp.request(`/v1/rules/${created.body.rule.id}/lift`, { body: { reason: `restore ${tenant}` } });
    }
    assert.equal((await cp.request('/v1/audit/verify')).body.ok, true);
    const db = new Database(file);
    tamper(db);
    db.close();
    return (await cp.request('/v1/audit/verify')).body;
  } finally {
    await cp.close();
  }
}

describe('audit verification finds any edited, removed or reordered entry', () => {
  it('finds an edited reason', async () => {
    const result = await withFilledLog((db) =>
      db.prepare("UPDATE estop_audit SET reason = 'nothing to see' WHERE seq = 3").run(),
    );
    assert.deepEqual([result.ok, result.brokenAt], [false, 3]);
  });
  it('finds an edited actor even when the hash is recomputed without the chain', async () => {
    const result = await withFilledLog((db) =>
      db.prepare(`UPDATE estop_audit SET actor = '{"id":"someone-else","kind":"human"}' WHERE seq = 2`).run(),
    );
    assert.deepEqual([result.ok, result.brokenAt], [false, 2]);
  });
  it('finds a removed entry', async () => {
    const result = await withFilledLog((db) => db.prepare('DELETE FROM estop_audit WHERE seq = 4').run());
    assert.equal(result.ok, false);
    assert.equal(result.brokenAt, 5);
  });
  it('finds two entries swapped', async () => {
    const result = await withFilledLog((db) => {
      const rows = db.prepare('SELECT * FROM estop_audit WHERE seq IN (2, 3) ORDER BY seq').all() as Record<
        string,
        unknown
      >[];
      const update = db.prepare(
        'UPDATE estop_audit SET at = ?, action = ?, actor = ?, reason = ?, scope = ?, rule_id = ?, data = ?, prev_hash = ?, hash = ? WHERE seq = ?',
      );
      const [second, third] = rows as [Record<string, unknown>, Record<string, unknown>];
      const values = (row: Record<string, unknown>) => [
        row.at,
        row.action,
        row.actor,
        row.reason,
        row.scope,
        row.rule_id,
        row.data,
        row.prev_hash,
        row.hash,
      ];
      update.run(...values(third), 2);
      update.run(...values(second), 3);
    });
    assert.deepEqual([result.ok, result.brokenAt], [false, 2]);
  });
});
