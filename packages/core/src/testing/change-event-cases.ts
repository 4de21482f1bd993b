import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { ChangeEvent, StateSnapshot } from '../state.js';
import { applyChange } from '../state.js';
import type { Store } from '../ports/store.js';
import { creating, lifting, makeLift, makeRule } from './store-fixtures.js';
import type { StoreTest } from './store-test.js';

async function fiveCommits(store: Store): Promise<ChangeEvent[]> {
  const events = [];
  for (const id of ['r1', 'r2', 'r3']) events.push((await store.rules.commit(creating(makeRule(id)))).event);
  events.push((await store.rules.commit(lifting(makeLift('r1')))).event);
  events.push((await store.rules.commit(creating(makeRule('r4', { scope: { tool: 'browser.*' } })))).event);
  return events;
}

/** Cases for `changesSince`: enforcers catch up from any version they have applied. */
export function describeChangeEvents(test: StoreTest): void {
  describe('change events are kept and replayed in order', () => {
    test('changesSince(0) returns every event, as its commit returned it', async (store) => {
      const events = await fiveCommits(store);
      assert.deepEqual(await store.rules.changesSince(0), events);
    });

    test('changesSince starts after the given version and stops at the limit', async (store) => {
      const events = await fiveCommits(store);
      assert.deepEqual(await store.rules.changesSince(2), events.slice(2));
      assert.deepEqual(await store.rules.changesSince(2, 2), events.slice(2, 4));
      assert.deepEqual(await store.rules.changesSince(0, 1), events.slice(0, 1));
      assert.deepEqual(await store.rules.changesSince(5), []);
      assert.deepEqual(await store.rules.changesSince(50), []);
    });

    test('replaying the events from version 0 gives the current state', async (store) => {
      await fiveCommits(store);
      let snapshot: StateSnapshot | undefined = { version: 0, rules: [], tools: {} };
      for (const event of await store.rules.changesSince(0)) snapshot = snapshot && applyChange(snapshot, event);
      const state = await store.rules.state();
      assert.deepEqual(snapshot, { version: state.version, rules: state.rules, tools: {} });
    });
  });
}
