import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock, type EnforcerRecord, type EnforcerStore } from '@estop/core';
import { EnforcerRegistry } from '../src/enforcers/enforcer-registry.js';

/** An enforcer store that keeps what it accepts, refuses records whose name is in `refused`, and can be away. */
function flakyStore(refused: ReadonlySet<string>): EnforcerStore & {
  saved: Map<string, EnforcerRecord>;
  calls: number;
  away: boolean;
} {
  const store = {
    saved: new Map<string, EnforcerRecord>(),
    calls: 0,
    away: false,
    async upsert(records: readonly EnforcerRecord[]) {
      store.calls += 1;
      if (store.away) throw new Error('connection refused');
      if (records.some((record) => refused.has(record.name))) throw new Error('the store refused a row');
      for (const record of records) store.saved.set(record.id, record);
    },
    async list() {
      return [...store.saved.values()];
    },
    async remove(ids: readonly string[]) {
      for (const id of ids) store.saved.delete(id);
    },
    async heartbeat() {
      if (store.away) throw new Error('connection refused');
    },
    async removeSeenBefore() {
      return 0;
    },
  };
  return store;
}

function registerConnected(registry: EnforcerRegistry, names: readonly string[]): void {
  for (const name of names) {
    registry.register({ id: name, name, kind: 'sdk' }, `owner-${name}`);
    registry.connect(name);
  }
}

describe("one record the store refuses never keeps a replica's other enforcers out of it", () => {
  it('saves every other record, reports the refused ones, and keeps them for the next flush', async () => {
    const store = flakyStore(new Set(['bad-1', 'bad-2']));
    const refusedReports: string[][] = [];
    const registry = new EnforcerRegistry(store, systemClock, { onSaveFailed: (ids) => refusedReports.push(ids) });
    registerConnected(registry, ['bad-1', 'good-1', 'bad-2', 'good-2', 'good-3']);
    await registry.flush();
    assert.deepEqual([...store.saved.keys()].sort(), ['good-1', 'good-2', 'good-3']);
    assert.deepEqual(refusedReports, [['bad-1', 'bad-2']]);
    // Refused records are tried again at the next flush; those saved are not written again.
    const calls = store.calls;
    await registry.flush().catch(() => {});
    assert.deepEqual([...store.saved.keys()].sort(), ['good-1', 'good-2', 'good-3']);
    assert.equal(store.calls - calls, 3, 'the batch of the two refused, then each alone');
  });

  it('records refused before are tried after the others, so refused ones first in line cost one flush at most', async () => {
    const store = flakyStore(new Set(['bad-1', 'bad-2', 'bad-3', 'bad-4']));
    const registry = new EnforcerRegistry(store, systemClock);
    registerConnected(registry, ['bad-1', 'bad-2', 'bad-3', 'bad-4', 'good-1', 'good-2']);
    await registry.flush().catch(() => {});
    await registry.flush();
    assert.deepEqual([...store.saved.keys()].sort(), ['good-1', 'good-2']);
  });

  it('gives up early when the store itself is away, rather than trying every record', async () => {
    const store = flakyStore(new Set());
    const registry = new EnforcerRegistry(store, systemClock);
    registerConnected(
      registry,
      Array.from({ length: 50 }, (_, index) => `worker-${index}`),
    );
    store.away = true;
    await assert.rejects(registry.flush(), /connection refused/);
    assert.ok(store.calls <= 4, `${store.calls} writes to a store that is away`);
    store.away = false;
    await registry.flush();
    assert.equal(store.saved.size, 50);
  });
});
