import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore, systemClock } from '@estop/core';
import { EnforcerRegistry } from '../src/enforcers/enforcer-registry.js';
import { VersionTracks } from '../src/enforcers/version-tracks.js';
import { sha256Hex } from './harness.js';

function registryWith(ids: string[]) {
  const registry = new EnforcerRegistry(createMemoryStore({ sha256: sha256Hex }).enforcers, systemClock);
  const leave = new Map<string, () => void>();
  for (const id of ids) {
    registry.register({ id, name: id, kind: 'sdk' }, 'owner');
    leave.set(id, registry.connect(id));
  }
  return { registry, leave };
}

/** Whether `promise` has settled after the event loop has had a few turns. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('a wait for a version follows acknowledgements as they come', () => {
  it('answers once the last enforcer behind acknowledges, and not before', async () => {
    const { registry } = registryWith(['a', 'b', 'c']);
    const wait = registry.waitFor(4, 10_000);
    registry.ack('a', 4, 0, 'owner');
    registry.ack('b', 9, 0, 'owner');
    assert.equal(await settled(wait), false);
    // An acknowledgement of an older version, or a repeat, does not count.
    registry.ack('c', 3, 0, 'owner');
    registry.ack('a', 4, 0, 'owner');
    assert.equal(await settled(wait), false);
    registry.ack('c', 4, 0, 'owner');
    assert.deepEqual(await wait, { version: 4, acknowledged: 3, total: 3, pending: [] });
    registry.close();
  });

  it('answers when the last enforcer behind disconnects, and counts one that connects meanwhile', async () => {
    const { registry, leave } = registryWith(['a', 'b']);
    const wait = registry.waitFor(2, 10_000);
    registry.ack('a', 2, 0, 'owner');
    registry.register({ id: 'late', name: 'late', kind: 'sdk' }, 'owner');
    const lateLeaves = registry.connect('late');
    leave.get('b')?.();
    assert.equal(await settled(wait), false, 'the enforcer that connected meanwhile has not applied it');
    lateLeaves();
    const answer = await wait;
    assert.equal(answer.acknowledged, 1);
    assert.equal(answer.total, 1);
    registry.close();
  });

  it('counts a connected enforcer that registers again as behind until it acknowledges again', async () => {
    const { registry } = registryWith(['a', 'b']);
    registry.ack('a', 6, 0, 'owner');
    const wait = registry.waitFor(6, 10_000);
    registry.register({ id: 'a', name: 'a', kind: 'sdk' }, 'owner');
    registry.ack('b', 6, 0, 'owner');
    assert.equal(await settled(wait), false);
    registry.ack('a', 6, 0, 'owner');
    assert.equal((await wait).acknowledged, 2);
    registry.close();
  });

  it("a tenant's wait counts its own and unbound enforcers, not another tenant's", async () => {
    const registry = new EnforcerRegistry(createMemoryStore({ sha256: sha256Hex }).enforcers, systemClock);
    for (const [id, tenant] of [
      ['mine', 'acme'],
      ['theirs', 'globex'],
      ['operator', undefined],
    ] as const) {
      registry.register({ id, name: id, kind: 'sdk' }, id, tenant);
      registry.connect(id);
    }
    const wait = registry.waitFor(3, 10_000, 'acme');
    registry.ack('mine', 3, 0, 'mine');
    assert.equal(await settled(wait), false, 'the unbound enforcer is still behind');
    registry.ack('operator', 3, 0, 'operator');
    assert.deepEqual(await wait, { version: 3, acknowledged: 2, total: 2, pending: [] });
    registry.close();
  });
});

describe('version tracks time each version to each enforcer once', () => {
  it('an acknowledgement covers the tracked versions between the one held and the one applied', () => {
    const tracks = new VersionTracks();
    tracks.note(2, 1000);
    tracks.note(3, 1010);
    tracks.note(5, 1020);
    const told: number[] = [];
    tracks.applied('e', 0, 3, 1050, (ms) => told.push(ms));
    assert.deepEqual(told.sort(), [40, 50]);
    tracks.applied('e', 3, 3, 1060, (ms) => told.push(ms));
    tracks.applied('e', 3, 9, 1070, (ms) => told.push(ms));
    assert.deepEqual(told.sort(), [40, 50, 50]);
    assert.equal(tracks.get(5)?.ackedAt.get('e'), 1070);
    tracks.forget('e');
    assert.equal(tracks.get(2)?.ackedAt.has('e'), false);
  });

  it('keeps the last 64 versions, whatever order they were noted in', () => {
    const tracks = new VersionTracks();
    for (let version = 100; version >= 1; version--) tracks.note(version, 0);
    assert.equal(tracks.get(36), undefined);
    assert.notEqual(tracks.get(37), undefined);
    assert.notEqual(tracks.get(100), undefined);
  });

  it("the registry's answer names the time the last enforcer took", () => {
    let now = 1000;
    const clock = { now: () => now };
    const registry = new EnforcerRegistry(createMemoryStore({ sha256: sha256Hex }).enforcers, clock);
    for (const id of ['a', 'b']) {
      registry.register({ id, name: id, kind: 'sdk' }, 'owner');
      registry.connect(id);
    }
    registry.noteCommit(8, 1000);
    now += 30;
    registry.ack('a', 8, 0, 'owner');
    now += 45;
    registry.ack('b', 8, 0, 'owner');
    assert.equal(registry.enforcement(8).ms, 75);
    registry.close();
  });
});
