import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock, type StateSnapshot } from '@estop/core';
import { LocalState } from './local-state.js';

const rule = {
  id: 'r1',
  scope: { tenant: 'acme' },
  mode: 'read_only',
  reason: 'test',
  actor: { id: 'operator@test', kind: 'human' },
  createdAt: '2026-01-01T00:00:00.000Z',
  cancelInFlight: false,
} as const;

function snapshot(version: number, storeId?: string): StateSnapshot {
  const state: StateSnapshot = {
    version,
    rules: version >= 3 ? [{ ...rule, scope: { ...rule.scope } }] : [],
    tools: {},
  };
  if (storeId !== undefined) state.storeId = storeId;
  return state;
}

describe('an enforcer applies no snapshot older than its state unless the store was reset', () => {
  it('refuses an older snapshot of the same store, keeping its version and rules', () => {
    const state = new LocalState({}, systemClock, () => {});
    assert.equal(state.applySnapshot(snapshot(3, 'store-a')), true);
    assert.equal(state.applySnapshot(snapshot(1, 'store-a')), false);
    assert.equal(state.version, 3);
    assert.equal(state.applySnapshot(snapshot(3, 'store-a')), true);
    assert.equal(state.applySnapshot(snapshot(4, 'store-a')), true);
    assert.equal(state.version, 4);
  });

  it('refuses an older snapshot when either side names no store: nothing shows a reset', () => {
    const state = new LocalState({}, systemClock, () => {});
    state.applySnapshot(snapshot(3));
    assert.equal(state.applySnapshot(snapshot(1, 'store-a')), false);
    const named = new LocalState({}, systemClock, () => {});
    named.applySnapshot(snapshot(3, 'store-a'));
    assert.equal(named.applySnapshot(snapshot(1)), false);
    assert.equal(named.version, 3);
  });

  it('follows a reset store (another id) to an older version', () => {
    const state = new LocalState({}, systemClock, () => {});
    state.applySnapshot(snapshot(3, 'store-a'));
    assert.equal(state.applySnapshot(snapshot(0, 'store-b')), true);
    assert.equal(state.version, 0);
  });

  it('refuses a resume naming another store than the one held', () => {
    const state = new LocalState({}, systemClock, () => {});
    state.applySnapshot(snapshot(3, 'store-a'));
    assert.equal(state.applyResume({ version: 3, tools: {}, storeId: 'store-b' }), false);
    assert.equal(state.applyResume({ version: 3, tools: {}, storeId: 'store-a' }), true);
  });

  it('is not made fresh by a resume: the changes after it, or the keep-alive that follows them, are', () => {
    let now = 0;
    const state = new LocalState({}, { now: () => now }, () => {});
    state.applySnapshot(snapshot(3, 'store-a'));
    now = 10_000;
    assert.equal(state.applyResume({ version: 3, tools: {}, storeId: 'store-a' }), true);
    assert.equal(state.heardAt, 0);
    assert.equal(state.hear(3), true);
    assert.equal(state.heardAt, 10_000);
  });
});
