import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../ports/store.js';
import { creating, makeRule } from './store-fixtures.js';
import type { StoreTest } from './store-test.js';

/**
 * Cases for the store's identity: written once, the same on every read, and another store's
 * differs, so that an enforcer tells a replica that is behind from a store that was reset.
 */
export function describeStoreIdentity(test: StoreTest, create: () => Promise<Store>): void {
  describe("a store's identity tells it from any other store", () => {
    test('is the same on every read, before and after commits', async (store) => {
      const { storeId } = await store.rules.state();
      assert.equal(typeof storeId, 'string');
      assert.ok(storeId.length > 0 && storeId.length <= 200, storeId);
      await store.rules.commit(creating(makeRule('r1')));
      assert.equal((await store.rules.state()).storeId, storeId);
    });

    it('differs between two stores, even at the same version', async () => {
      const first = await create();
      try {
        const second = await create();
        try {
          assert.notEqual((await first.rules.state()).storeId, (await second.rules.state()).storeId);
        } finally {
          await second.close();
        }
      } finally {
        await first.close();
      }
    });
  });
}
