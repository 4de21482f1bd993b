import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore, type EnforcerRecord, type EnforcerStore } from '@estop/core';
import { EnforcerRegistry } from '../src/enforcers/enforcer-registry.js';
import { connectEnforcer, eventually, sha256Hex, startTestControlPlane, type TestControlPlane } from './harness.js';

/** A memory store's enforcers, counting the rows written: enforcer records and heartbeats. */
function countingStore(): EnforcerStore & { records: number; heartbeats: number } {
  const memory = createMemoryStore({ sha256: sha256Hex }).enforcers;
  const store = {
    ...memory,
    records: 0,
    heartbeats: 0,
    async upsert(records: readonly EnforcerRecord[], writer?: string) {
      store.records += records.length;
      await memory.upsert(records, writer);
    },
    async heartbeat(replica: string, at: string) {
      store.heartbeats += 1;
      await memory.heartbeat(replica, at);
    },
  };
  return store;
}

function connectMany(registry: EnforcerRegistry, count: number, prefix: string): string[] {
  const ids = Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
  for (const id of ids) {
    registry.register({ id, name: id, kind: 'sdk' }, `owner-${id}`);
    registry.connect(id);
  }
  return ids;
}

describe("a replica's quiet connected enforcers cost the store no writes beyond its heartbeat", () => {
  it('after their first records, flushes write one heartbeat each and no enforcer record', async () => {
    let now = Date.parse('2030-01-01T00:00:00.000Z');
    const store = countingStore();
    const told: number[] = [];
    const registry = new EnforcerRegistry(store, { now: () => now }, { onSaved: (rows) => told.push(rows) });
    const ids = connectMany(registry, 200, 'quiet');
    await registry.flush();
    assert.deepEqual([store.records, store.heartbeats], [200, 1]);
    for (let second = 1; second <= 8; second += 1) {
      now += 1000;
      // Acknowledgements of a version already applied, with nothing else changed, are no change.
      for (const id of ids.slice(0, 20)) registry.ack(id, 0, 0, `owner-${id}`);
      await registry.flush();
    }
    assert.deepEqual([store.records, store.heartbeats], [200, 9]);
    assert.deepEqual(told, [201, 1, 1, 1, 1, 1, 1, 1, 1]);
    // Something new is written, once: a version applied, calls in flight. A second stream of one
    // enforcer, opened and closed, changes nothing other replicas read.
    registry.ack('quiet-1', 4, 0, 'owner-quiet-1');
    registry.ack('quiet-2', 0, 3, 'owner-quiet-2');
    const close = registry.connect('quiet-3');
    close();
    now += 1000;
    await registry.flush();
    now += 1000;
    await registry.flush();
    assert.deepEqual([store.records, store.heartbeats], [202, 11]);
    registry.close();
  });
});

describe("another replica counts a replica's enforcers while its heartbeat is recent, and not once it stops", () => {
  it('sees them live over many quiet flushes, then drops them when the replica is killed, and the sweep deletes them', async () => {
    let now = Date.parse('2030-01-01T00:00:00.000Z');
    const clock = { now: () => now };
    const store = countingStore();
    const first = new EnforcerRegistry(store, clock, { replica: 'replica-first', forgetAfterMs: 10_000 });
    const second = new EnforcerRegistry(store, clock, { replica: 'replica-second', forgetAfterMs: 10_000 });
    const ids = connectMany(first, 3, 'held');
    for (const id of ids) first.ack(id, 2, 0, `owner-${id}`);
    await first.flush();
    const seen = async () =>
      (await second.list()).filter((record) => record.connected).map((record) => [record.id, record.replica]);
    assert.deepEqual(await seen(), [
      ['held-0', 'replica-first'],
      ['held-1', 'replica-first'],
      ['held-2', 'replica-first'],
    ]);

    // Quiet flushes, well past REMOTE_LIVE_MS: no record is written, the heartbeat keeps them live.
    const written = store.records;
    for (let second = 1; second <= 12; second += 1) {
      now += 1000;
      await first.flush();
    }
    assert.equal(store.records, written);
    assert.equal((await seen()).length, 3);
    const listed = (await second.list()).find((record) => record.id === 'held-0');
    assert.equal(listed?.lastSeenAt, new Date(now).toISOString());
    assert.deepEqual(await second.enforcementEverywhere(2), { version: 2, acknowledged: 3, total: 3, pending: [] });

    // Killed: it stops flushing, and does not deregister.
    now += 4000;
    assert.equal((await seen()).length, 3);
    now += 1500;
    assert.deepEqual(await seen(), []);
    assert.deepEqual(await second.enforcementEverywhere(2), { version: 2, acknowledged: 0, total: 0, pending: [] });

    // Past forget_after, the surviving replica's sweep deletes its records and its heartbeat.
    now += 10_000;
    await second.flush();
    assert.deepEqual(await store.list(), []);
    await store.upsert([
      {
        id: 'late',
        name: 'late',
        kind: 'sdk',
        version: 0,
        inFlight: 0,
        lastSeenAt: new Date(0).toISOString(),
        replica: 'replica-first',
      },
    ]);
    assert.equal((await store.list())[0]?.lastSeenAt, new Date(0).toISOString());
    first.close();
    second.close();
  });
});

/** Rows the control plane has written to the store's enforcer tables, from its /metrics. */
async function storeWrites(cp: TestControlPlane): Promise<number> {
  const text = await (await fetch(`${cp.url}/metrics`)).text();
  return Number(/^estop_store_enforcer_writes_total (\S+)$/m.exec(text)?.[1]);
}

describe('a replica counts its store writes for enforcers in estop_store_enforcer_writes_total', () => {
  it('its connected enforcers written once each, then one heartbeat a second', async () => {
    const cp = await startTestControlPlane();
    const cuts: (() => void)[] = [];
    try {
      const token = await cp.token('enforcer');
      const ids = Array.from({ length: 20 }, (_, index) => `metered-${index}`);
      for (const id of ids) cuts.push(await connectEnforcer(cp, token, id));
      // Each record once (registered and connected before one flush, or at two), and a heartbeat.
      const settled = await eventually(async () => {
        const rows = await storeWrites(cp);
        return rows >= ids.length + 1 ? rows : undefined;
      });
      assert.ok(settled <= 2 * ids.length + 2, `${settled} rows`);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const before = await storeWrites(cp);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const quiet = (await storeWrites(cp)) - before;
      assert.ok(quiet >= 2 && quiet <= 4, `${quiet} rows in 3 s`);
    } finally {
      for (const cut of cuts) cut();
      await cp.close();
    }
  });
});

describe("a replica reads back only other replicas' enforcers", () => {
  it('a wait woken by each of 200 local acknowledgements reads the store at most once per poll, never its own rows', async () => {
    const memory = createMemoryStore({ sha256: sha256Hex }).enforcers;
    let reads = 0;
    let rowsRead = 0;
    const store: EnforcerStore = {
      ...memory,
      async list(query) {
        reads += 1;
        const records = await memory.list(query);
        rowsRead += records.length;
        return records;
      },
    };
    const registry = new EnforcerRegistry(store, { now: () => Date.now() });
    const other = new EnforcerRegistry(store, { now: () => Date.now() });
    const ids = connectMany(registry, 200, 'here');
    connectMany(other, 3, 'there');
    await registry.flush();
    await other.flush();
    const started = Date.now();
    const waiting = registry.waitFor(1, 1000);
    for (const id of ids) {
      registry.ack(id, 1, 0, `owner-${id}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const answer = await waiting;
    // The other replica's three enforcers never applied version 1: the wait runs out, having
    // re-read the store about every 200 ms, and each read returned their three rows only.
    assert.equal(answer.total, 203);
    assert.equal(answer.acknowledged, 200);
    const polls = Math.ceil((Date.now() - started) / 200) + 1;
    assert.ok(reads <= polls, `${reads} reads in ${Date.now() - started} ms`);
    assert.equal(rowsRead, reads * 3);
  });
});
