import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { EMPTY_HEAD } from '../audit.js';
import { creating, makeRule } from './store-fixtures.js';
import { estopErrorWith, footprint, type StoreTest } from './store-test.js';

/** Cases for a store's life: empty after migration, migrating again, closing. */
export function describeLifecycle(test: StoreTest): void {
  describe('an empty store is at version 0 and holds nothing', () => {
    test('state is version 0 with no rules, and the audit head is the genesis', async (store) => {
      const seen = await footprint(store);
      assert.deepEqual(seen, {
        state: { version: 0, rules: [], storeId: seen.state.storeId },
        events: [],
        head: EMPTY_HEAD,
        audit: [],
        tokens: [],
      });
      assert.deepEqual(await store.enforcers.list(), []);
      assert.equal(await store.rules.get('nothing'), undefined);
    });
  });

  describe('migrate is safe to run on every start', () => {
    test('migrating a migrated store again keeps its data and its version', async (store) => {
      await store.rules.commit(creating(makeRule('r1')));
      const before = await footprint(store);
      await store.migrate();
      await store.migrate();
      assert.deepEqual(await footprint(store), before);
      const next = await store.rules.commit(creating(makeRule('r2')));
      assert.equal(next.event.version, 2);
    });
  });

  describe('a closed store refuses work', () => {
    test('calls after close reject with "unavailable", and closing again is harmless', async (store) => {
      await store.close();
      await store.close();
      await assert.rejects(store.rules.state(), estopErrorWith('unavailable'));
      await assert.rejects(store.audit.head(), estopErrorWith('unavailable'));
    });
  });
}
