import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, systemClock, type ChangeEvent, type StateSnapshot } from '@estop/core';
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

describe('guards of one process share the work of a change they all receive', () => {
  const stop: ChangeEvent = {
    version: 4,
    changes: [{ type: 'rule-created', rule: { ...rule, id: 'r2', scope: { tenant: 'globex' }, mode: 'full_stop' } }],
  } as ChangeEvent;

  it('applies a change to a shared snapshot once, and builds its index once per set of local tool effects', () => {
    const held = snapshot(3);
    const guards = Array.from({ length: 3 }, () => new LocalState({ 'crm.read': 'read' }, systemClock, () => {}));
    const other = new LocalState({ 'crm.read': 'write' }, systemClock, () => {});
    for (const guard of [...guards, other]) {
      assert.equal(guard.applySnapshot(held), true);
      assert.equal(guard.applyChange(stop), true);
    }
    const [first, ...rest] = guards as [LocalState, ...LocalState[]];
    for (const guard of rest) assert.equal(guard.index, first.index, 'one index for the same snapshot and tools');
    assert.notEqual(other.index, first.index, 'other local tool effects get an index of their own');
    const call = { tenant: 'globex', agent: 'a', tool: 'crm.read' };
    assert.equal(decide(first.index, call).outcome, 'deny');
    assert.equal(decide(first.index, { ...call, tenant: 'acme' }).outcome, 'allow', 'read_only lets a read through');
    assert.equal(decide(other.index, { ...call, tenant: 'acme' }).outcome, 'deny', 'the same tool, a write here');
  });

  it("applies each change to the snapshot it was given: a guard behind or ahead is not handed another guard's result", () => {
    const held = snapshot(3);
    const ahead = new LocalState({}, systemClock, () => {});
    const behind = new LocalState({}, systemClock, () => {});
    ahead.applySnapshot(held);
    ahead.applyChange(stop);
    behind.applySnapshot(snapshot(2));
    assert.equal(behind.applyChange(stop), false, 'version 4 does not follow version 2');
    assert.equal(behind.version, 2);
    assert.equal(ahead.version, 4);
  });
});
