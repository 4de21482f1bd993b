import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { verifyChain } from '../audit.js';
import { sha256Hex } from './sha256-hex.js';
import { creating, makeDraft, makeRule, minutesIn } from './store-fixtures.js';
import type { StoreTest } from './store-test.js';

function oneToN(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}

/** Cases for changes made at the same time: nothing is lost, duplicated or forked. */
export function describeConcurrency(test: StoreTest): void {
  describe('concurrent commits each get their own version', () => {
    test('20 commits at once produce versions 1 to 20, each once, and one valid chain', async (store) => {
      const ids = oneToN(20).map((n) => `rule-${n}`);
      const results = await Promise.all(ids.map((id) => store.rules.commit(creating(makeRule(id)))));
      assert.deepEqual(
        results.map((result) => result.event.version).sort((a, b) => a - b),
        oneToN(20),
      );
      const events = await store.rules.changesSince(0);
      assert.deepEqual(
        events.map((event) => event.version),
        oneToN(20),
      );
      const byVersion = new Map(results.map((result) => [result.event.version, result.event]));
      for (const event of events) assert.deepEqual(event, byVersion.get(event.version));
      const state = await store.rules.state();
      assert.equal(state.version, 20);
      assert.deepEqual(state.rules.map((rule) => rule.id).sort(), [...ids].sort());
      const chain = verifyChain(await store.audit.list(), sha256Hex);
      assert.deepEqual(chain.ok && chain.entries, 20);
    });
  });

  describe('audit appends racing commits keep one valid chain', () => {
    test('10 commits and 10 batches of 3 at once give seqs 1 to 40, each once', async (store) => {
      const work = oneToN(10).flatMap((n) => [
        store.rules.commit(creating(makeRule(`rule-${n}`))).then((result) => result.audit),
        store.audit.append([1, 2, 3].map((k) => makeDraft({ at: minutesIn(n), ruleId: `batch-${n}-${k}` }))),
      ]);
      const returned = (await Promise.all(work)).flat();
      const all = await store.audit.list();
      assert.deepEqual(
        all.map((entry) => entry.seq),
        oneToN(40),
      );
      assert.equal(verifyChain(all, sha256Hex).ok, true);
      const bySeq = new Map(returned.map((entry) => [entry.seq, entry]));
      assert.equal(bySeq.size, 40);
      for (const entry of all) assert.deepEqual(entry, bySeq.get(entry.seq));
      // A batch is one run: its three entries are consecutive, never split by another writer.
      for (const batch of oneToN(10)) {
        const seqs = all.filter((entry) => entry.ruleId?.startsWith(`batch-${batch}-`)).map((entry) => entry.seq);
        assert.deepEqual(seqs, [seqs[0] ?? 0, (seqs[0] ?? 0) + 1, (seqs[0] ?? 0) + 2]);
      }
      assert.equal((await store.rules.state()).version, 10);
    });
  });
}
