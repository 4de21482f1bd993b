import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore, systemClock } from '@estop/core';
import { EnforcerRegistry } from '../src/enforcers/enforcer-registry.js';
import { eventually, sha256Hex } from './harness.js';

function connectedEnforcer(id: string) {
  const store = createMemoryStore({ sha256: sha256Hex }).enforcers;
  const registry = new EnforcerRegistry(store, systemClock);
  registry.register({ id, name: id, kind: 'sdk' }, 'owner');
  registry.connect(id);
  return { store, registry };
}

describe("an acknowledgement reaches the store without waiting for the periodic flush, so other replicas' waits hear of it", () => {
  it('an ack that advances the version is written by itself, no flush called', async () => {
    const { store, registry } = connectedEnforcer('acked');
    assert.equal(registry.ack('acked', 7, 0, 'owner'), true);
    const saved = await eventually(async () => (await store.list({})).find((record) => record.version === 7));
    assert.equal(saved.id, 'acked');
    registry.close();
  });
});

describe('an enforcer counts as having applied a version only once it acknowledged it in its current registration', () => {
  it('registering again (a restarted process under the same id) counts from nothing until it acknowledges', () => {
    const { registry } = connectedEnforcer('restarted');
    registry.ack('restarted', 5, 0, 'owner');
    assert.equal(registry.enforcement(5).acknowledged, 1);
    registry.register({ id: 'restarted', name: 'restarted', kind: 'sdk' }, 'owner');
    assert.deepEqual(registry.enforcement(5), {
      version: 5,
      acknowledged: 0,
      total: 1,
      pending: [{ id: 'restarted', name: 'restarted', version: 0 }],
    });
    registry.ack('restarted', 5, 0, 'owner');
    assert.equal(registry.enforcement(5).acknowledged, 1);
    registry.close();
  });
});
