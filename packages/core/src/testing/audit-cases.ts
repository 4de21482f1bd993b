import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { EMPTY_HEAD, chainEntries, verifyChain, type AuditDraft } from '../audit.js';
import { sha256Hex } from './sha256-hex.js';
import { creating, makeDraft, makeRule, minutesIn } from './store-fixtures.js';
import { footprint, type StoreTest } from './store-test.js';

function drafts(count: number, from = 0): AuditDraft[] {
  return Array.from({ length: count }, (_, index) =>
    makeDraft({ at: minutesIn(from + index), ruleId: `r${from + index}` }),
  );
}

/** Cases for the audit log: batches, round-trips, paging, and one chain shared with commits. */
export function describeAudit(test: StoreTest): void {
  describe('an audit batch is one consecutive run of the chain', () => {
    test('a batch gets consecutive seqs, the next batch continues, and the chain verifies', async (store) => {
      const first = await store.audit.append(drafts(3));
      assert.deepEqual(first, chainEntries(EMPTY_HEAD, drafts(3), sha256Hex));
      const second = await store.audit.append(drafts(2, 3));
      assert.deepEqual(
        second.map((entry) => entry.seq),
        [4, 5],
      );
      assert.equal(second[0]?.prevHash, first[2]?.hash);
      const all = await store.audit.list();
      assert.deepEqual(all, [...first, ...second]);
      const verification = verifyChain(all, sha256Hex);
      assert.equal(verification.ok, true);
      assert.deepEqual(await store.audit.head(), verification.ok ? verification.head : undefined);
      assert.deepEqual(await store.audit.head(), { seq: 5, hash: second[1]?.hash });
    });

    test('every field of an entry comes back as it went in; absent ones stay absent', async (store) => {
      const full = makeDraft({
        at: '2026-03-01T09:00:00.001+01:00',
        action: 'token-created',
        actor: { id: 'agent:ops-bot', kind: 'agent' },
        // Quotes, backslashes, braces and commas are special in SQL array literals and JSON alike.
        reason: 'rotate "now" \\ {a,b} — “quarterly”',
        scope: { tenant: 'acme', agent: 'a', run: 'r', tool: 'db.*' },
        ruleId: 'r1',
        data: {
          note: 'C:\\tmp "x" {1,2} NULL',
          role: 'admin',
          version: 7,
          nested: { list: [1, 'two', null, true], empty: {} },
          ratio: 0.25,
        },
      });
      const bare = makeDraft({ action: 'rule-expired', actor: { id: 'system', kind: 'system' } });
      // Empty and NULL-looking strings are values, not absences.
      const blank = makeDraft({ reason: 'NULL', ruleId: '', scope: {}, data: {} });
      const appended = await store.audit.append([full, bare, blank]);
      const listed = await store.audit.list();
      assert.deepEqual(listed, appended);
      assert.deepEqual(listed, chainEntries(EMPTY_HEAD, [full, bare, blank], sha256Hex));
      const stored = listed[1];
      for (const key of ['reason', 'scope', 'ruleId', 'data'])
        assert.equal(stored !== undefined && key in stored, false, key);
    });

    test('appending an empty batch returns nothing and writes nothing', async (store) => {
      await store.audit.append(drafts(2));
      const before = await footprint(store);
      assert.deepEqual(await store.audit.append([]), []);
      assert.deepEqual(await footprint(store), before);
    });
  });

  describe('the audit log pages by sequence', () => {
    test('afterSeq and limit walk the chain without gaps or repeats', async (store) => {
      const appended = await store.audit.append(drafts(25));
      assert.deepEqual(await store.audit.list({ limit: 10 }), appended.slice(0, 10));
      assert.deepEqual(await store.audit.list({ afterSeq: 10, limit: 10 }), appended.slice(10, 20));
      assert.deepEqual(await store.audit.list({ afterSeq: 20, limit: 10 }), appended.slice(20));
      assert.deepEqual(await store.audit.list({ afterSeq: 25 }), []);
      assert.deepEqual(await store.audit.list({ afterSeq: 7 }), appended.slice(7));
    });

    test('list returns at most 1000 entries unless asked for more', async (store) => {
      await store.audit.append(drafts(1003));
      assert.equal((await store.audit.list()).length, 1000);
      assert.equal((await store.audit.list({ afterSeq: 1000 })).length, 3);
      assert.equal((await store.audit.list({ limit: 2000 })).length, 1003);
    });
  });

  describe('commits and appends share one chain', () => {
    test('entries from commits and from appends interleave in one verifiable chain', async (store) => {
      const first = await store.rules.commit(creating(makeRule('r1')));
      const middle = await store.audit.append(drafts(2));
      const last = await store.rules.commit(creating(makeRule('r2')));
      const all = await store.audit.list();
      assert.deepEqual(all, [...first.audit, ...middle, ...last.audit]);
      assert.deepEqual(
        all.map((entry) => entry.seq),
        [1, 2, 3, 4],
      );
      assert.equal(verifyChain(all, sha256Hex).ok, true);
    });
  });
}
