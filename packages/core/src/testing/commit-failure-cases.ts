import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { ErrorCode } from '../errors.js';
import type { CommitRequest, Store } from '../ports/store.js';
import { creating, lifting, makeDraft, makeLift, makeRule, minutesIn } from './store-fixtures.js';
import { estopErrorWith, footprint, type StoreTest } from './store-test.js';

/** Commits `request`, expects `code`, and checks that the store is exactly as it was. */
async function refused(store: Store, request: CommitRequest, code: ErrorCode): Promise<void> {
  const before = await footprint(store);
  await assert.rejects(store.rules.commit(request), estopErrorWith(code));
  assert.deepEqual(await footprint(store), before);
  // A refused commit must not use up a version either: the next one is still the next number.
  const next = await store.rules.commit(creating(makeRule('after-refusal')));
  assert.equal(next.event.version, before.state.version + 1);
  assert.equal(next.audit[0]?.seq, before.head.seq + 1);
}

/** Cases for commits the store must refuse without writing anything. */
export function describeCommitFailures(test: StoreTest): void {
  describe('a failed commit writes nothing', () => {
    test('lifting an unknown rule throws rule_not_found', async (store) => {
      await store.rules.commit(creating(makeRule('r1')));
      await refused(store, lifting(makeLift('missing')), 'rule_not_found');
    });

    test('lifting a rule that is already lifted throws rule_not_found', async (store) => {
      await store.rules.commit(creating(makeRule('r1')));
      await store.rules.commit(lifting(makeLift('r1')));
      await refused(store, lifting(makeLift('r1', { reason: 'again' })), 'rule_not_found');
    });

    test('lifting one rule twice in one commit throws rule_not_found', async (store) => {
      await store.rules.commit(creating(makeRule('r1')));
      await refused(
        store,
        { lift: [makeLift('r1'), makeLift('r1')], audit: [makeDraft()], at: minutesIn(5) },
        'rule_not_found',
      );
    });

    test('creating an id that is active throws conflict', async (store) => {
      await store.rules.commit(creating(makeRule('r1')));
      await refused(store, creating(makeRule('r1', { mode: 'read_only' })), 'conflict');
    });

    test('creating the id of a lifted rule throws conflict', async (store) => {
      await store.rules.commit(creating(makeRule('r1')));
      await store.rules.commit(lifting(makeLift('r1')));
      await refused(store, creating(makeRule('r1')), 'conflict');
    });

    test('creating one id twice in one commit throws conflict', async (store) => {
      await refused(
        store,
        { create: [makeRule('twin'), makeRule('twin')], audit: [makeDraft()], at: minutesIn(1) },
        'conflict',
      );
    });

    test('a valid creation beside a bad lift is not written', async (store) => {
      await store.rules.commit(creating(makeRule('r1')));
      const request: CommitRequest = {
        create: [makeRule('would-be')],
        lift: [makeLift('missing')],
        audit: [makeDraft(), makeDraft({ action: 'rule-lifted' })],
        at: minutesIn(4),
      };
      await refused(store, request, 'rule_not_found');
      assert.equal(await store.rules.get('would-be'), undefined);
    });
  });
}
