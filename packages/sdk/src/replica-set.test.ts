import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplicaSet } from './replica-set.js';

const urls = ['http://a:7070/', 'http://b:7070/', 'http://c:7070/'].map((url) => new URL(url));

describe('an enforcer uses one replica at a time, in a random order of its own', () => {
  it('starts where the random draw says, so that enforcers spread over the replicas', () => {
    assert.equal(new ReplicaSet(urls, () => 0).current, urls[0]);
    assert.equal(new ReplicaSet(urls, () => 0.5).current, urls[1]);
    assert.equal(new ReplicaSet(urls, () => 0.999_999).current, urls[2]);
  });

  it('moves to the next in its order after a failure at the current one, and wraps around', () => {
    const replicas = new ReplicaSet(urls, () => 0.5);
    const seen = [replicas.current];
    for (let step = 0; step < 3; step++) {
      assert.equal(replicas.failed(replicas.current), true);
      seen.push(replicas.current);
    }
    assert.deepEqual(seen, [urls[1], urls[2], urls[0], urls[1]]);
  });

  it('moves once for many failures at one replica: a failure at one already left changes nothing', () => {
    const replicas = new ReplicaSet(urls, () => 0);
    const failing = replicas.current;
    assert.equal(replicas.failed(failing), true);
    const next = replicas.current;
    assert.notEqual(next, failing);
    assert.equal(replicas.failed(failing), false);
    assert.equal(replicas.current, next);
  });

  it('enforcers that lose the same replica spread over all the others, each trying every replica in turn', () => {
    // A small seeded generator (mulberry32), so that the draw is the same on every run.
    let seed = 15;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let value = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
      return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
    };
    const movedTo = new Map<URL, number>();
    let displaced = 0;
    for (let enforcer = 0; enforcer < 3000; enforcer++) {
      const replicas = new ReplicaSet(urls, random);
      const visited = [replicas.current];
      for (let step = 0; step < urls.length; step++) {
        replicas.failed(replicas.current);
        visited.push(replicas.current);
      }
      // Every replica once, then the first again.
      assert.equal(new Set(visited.slice(0, urls.length)).size, urls.length);
      assert.equal(visited[urls.length], visited[0]);
      if (visited[0] !== urls[0]) continue;
      displaced += 1;
      movedTo.set(visited[1] as URL, (movedTo.get(visited[1] as URL) ?? 0) + 1);
    }
    assert.ok(displaced > 800, `${displaced} started on the first replica`);
    for (const other of [urls[1], urls[2]] as URL[]) {
      const share = (movedTo.get(other) ?? 0) / displaced;
      assert.ok(share > 0.4 && share < 0.6, `${other.origin} took ${Math.round(share * 100)}% of those displaced`);
    }
  });

  it('tells listeners of each move, until they stop listening', () => {
    const replicas = new ReplicaSet(urls, () => 0);
    let moves = 0;
    const stop = replicas.onMove(() => moves++);
    replicas.failed(replicas.current);
    stop();
    replicas.failed(replicas.current);
    assert.equal(moves, 1);
  });

  it('never moves from a single replica', () => {
    const single = new ReplicaSet([urls[0] as URL]);
    assert.equal(single.failed(single.current), false);
    assert.equal(single.current, urls[0]);
    assert.equal(single.describe(), 'http://a:7070');
    assert.throws(() => new ReplicaSet([]), RangeError);
  });
});
