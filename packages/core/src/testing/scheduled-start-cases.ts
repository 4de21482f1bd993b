import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { creating, makeDraft, makeRule, minutesIn } from './store-fixtures.js';
import type { StoreTest } from './store-test.js';

/** Cases for scheduled rules: the start is kept, and recorded in the audit log once. */
export function describeScheduledStarts(test: StoreTest): void {
  describe('a scheduled rule keeps its start, and its start is recorded once', () => {
    const started = (ruleId: string) =>
      makeDraft({ at: minutesIn(30), action: 'rule-started', ruleId, actor: { id: 'system', kind: 'system' } });

    test('a scheduled rule is active from its commit on, with its start as it went in', async (store) => {
      const rule = makeRule('planned', { startsAt: minutesIn(30), expiresAt: minutesIn(90) });
      await store.rules.commit(creating(rule));
      assert.deepEqual((await store.rules.state()).rules, [rule]);
      assert.deepEqual(await store.rules.get('planned'), { rule });
    });

    test('the first caller records the start with its audit entry; later callers write nothing', async (store) => {
      await store.rules.commit(creating(makeRule('planned', { startsAt: minutesIn(30) })));
      const before = await store.audit.head();
      assert.equal(await store.rules.recordStart('planned', started('planned')), true);
      assert.equal(await store.rules.recordStart('planned', started('planned')), false);
      const entries = await store.audit.list({ afterSeq: before.seq });
      assert.deepEqual(
        entries.map((entry) => [entry.action, entry.ruleId]),
        [['rule-started', 'planned']],
      );
      assert.equal((await store.rules.state()).version, 1, 'recording a start is no new version');
    });

    test('of callers racing to record one start, exactly one does', async (store) => {
      await store.rules.commit(creating(makeRule('planned', { startsAt: minutesIn(30) })));
      const results = await Promise.all(
        Array.from({ length: 6 }, () => store.rules.recordStart('planned', started('planned'))),
      );
      assert.equal(results.filter(Boolean).length, 1);
      const entries = await store.audit.list();
      assert.equal(entries.filter((entry) => entry.action === 'rule-started').length, 1);
    });

    test('no rule of that id: nothing recorded', async (store) => {
      const before = await store.audit.head();
      assert.equal(await store.rules.recordStart('nobody', started('nobody')), false);
      assert.deepEqual(await store.audit.head(), before);
    });
  });
}
