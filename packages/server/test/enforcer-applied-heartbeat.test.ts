import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore, type EnforcerRecord, type EnforcerStore } from '@estop/core';
import { EnforcerRegistry } from '../src/enforcers/enforcer-registry.js';
import { sha256Hex } from './harness.js';

/** A shared store that counts the enforcer records written, apart from heartbeats. */
function countingStore(): { store: EnforcerStore; records: () => number } {
  const inner = createMemoryStore({ sha256: sha256Hex }).enforcers;
  let records = 0;
  const store: EnforcerStore = {
    ...inner,
    upsert: (batch: readonly EnforcerRecord[], writer?: string) => {
      records += batch.length;
      return inner.upsert(batch, writer);
    },
  };
  return { store, records: () => records };
}

/** A replica with `count` enforcers connected, each having applied version 1, their records written. */
async function replicaWith(store: EnforcerStore, count: number, now: () => number) {
  const registry = new EnforcerRegistry(store, { now }, { replica: 'replica-a' });
  const ids = Array.from({ length: count }, (_, index) => `sdk_${index}`);
  const leave = new Map<string, () => void>();
  for (const id of ids) {
    registry.register({ id, name: id, kind: 'sdk' }, 'owner');
    leave.set(id, registry.connect(id));
    registry.ack(id, 1, 0, 'owner');
  }
  await registry.flush();
  return { registry, ids, leave };
}

describe("a replica's heartbeat tells other replicas the version all its enforcers applied", () => {
  it('a version every enforcer acknowledged costs one row, and another replica counts them all', async () => {
    const { store, records } = countingStore();
    let now = Date.now();
    const { registry, ids } = await replicaWith(store, 500, () => now);
    const before = records();
    for (const id of ids) registry.ack(id, 4, 0, 'owner');
    now += 100;
    await registry.flush('acknowledgements');
    assert.equal(records() - before, 0, 'no enforcer record was written');
    const other = new EnforcerRegistry(store, { now: () => now }, { replica: 'replica-b' });
    const seen = await other.enforcementEverywhere(4);
    assert.deepEqual([seen.acknowledged, seen.total], [500, 500]);
    registry.close();
  });

  it('with one enforcer behind, the others are written after two periodic flushes, never counted before they acknowledged', async () => {
    const { store, records } = countingStore();
    let now = Date.now();
    const { registry, ids } = await replicaWith(store, 20, () => now);
    const other = new EnforcerRegistry(store, { now: () => now }, { replica: 'replica-b' });
    const before = records();
    for (const id of ids.slice(1)) registry.ack(id, 6, 0, 'owner');
    await registry.flush('acknowledgements');
    assert.equal((await other.enforcementEverywhere(6)).acknowledged, 0, 'the heartbeat vouches for nothing yet');
    now += 1000;
    await registry.flush();
    assert.equal(records() - before, 0, 'the first periodic flush still waits for the laggard');
    now += 1000;
    await registry.flush();
    assert.equal(records() - before, 19);
    const seen = await other.enforcementEverywhere(6);
    assert.deepEqual([seen.acknowledged, seen.total, seen.pending.map((enforcer) => enforcer.id)], [19, 20, ['sdk_0']]);
    registry.ack('sdk_0', 6, 0, 'owner');
    now += 100;
    await registry.flush('acknowledgements');
    assert.equal((await other.enforcementEverywhere(6)).acknowledged, 20);
    registry.close();
  });

  it('never vouches for an enforcer whose stream closed, nor for one registered again that has applied nothing', async () => {
    const { store } = countingStore();
    let now = Date.now();
    const { registry, ids, leave } = await replicaWith(store, 4, () => now);
    for (const id of ids) registry.ack(id, 2, 0, 'owner');
    await registry.flush('acknowledgements');
    const [gone, restarted, ...staying] = ids as [string, string, ...string[]];
    leave.get(gone)?.();
    registry.register({ id: restarted, name: restarted, kind: 'sdk' }, 'owner');
    for (const id of staying) registry.ack(id, 3, 0, 'owner');
    now += 600;
    await registry.flush('acknowledgements');
    const versions = new Map((await store.list()).map((record) => [record.id, record.version]));
    assert.deepEqual(
      ids.map((id) => versions.get(id)),
      [2, 0, 3, 3],
    );
    const other = new EnforcerRegistry(store, { now: () => now }, { replica: 'replica-b' });
    const seen = await other.enforcementEverywhere(3);
    assert.deepEqual([seen.acknowledged, seen.total], [2, 4]);
    registry.close();
  });

  it('when an enforcer behind connects and lowers the version vouched for, the others are written if it stays behind', async () => {
    const { store } = countingStore();
    let now = Date.now();
    const { registry, ids } = await replicaWith(store, 5, () => now);
    for (const id of ids) registry.ack(id, 8, 0, 'owner');
    await registry.flush('acknowledgements');
    registry.register({ id: 'late', name: 'late', kind: 'sdk' }, 'owner');
    registry.connect('late');
    registry.ack('late', 6, 0, 'owner');
    now += 600;
    await registry.flush('acknowledgements');
    const other = new EnforcerRegistry(store, { now: () => now }, { replica: 'replica-b' });
    assert.equal((await other.enforcementEverywhere(8)).acknowledged, 0, 'understated while the heartbeat says 6');
    for (let flush = 0; flush < 2; flush++) {
      now += 1000;
      await registry.flush();
    }
    const seen = await other.enforcementEverywhere(8);
    assert.deepEqual([seen.acknowledged, seen.total, seen.pending.map((enforcer) => enforcer.id)], [5, 6, ['late']]);
    registry.close();
  });
});
