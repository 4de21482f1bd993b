import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplicaSet } from './replica-set.js';

const urls = ['http://a:7070/', 'http://b:7070/', 'http://c:7070/'].map((url) => new URL(url));

describe('an enforcer uses one replica at a time, round robin from a random one', () => {
  it('starts where the random draw says, so that enforcers spread over the replicas', () => {
    assert.equal(new ReplicaSet(urls, () => 0).current, urls[0]);
    assert.equal(new ReplicaSet(urls, () => 0.5).current, urls[1]);
    assert.equal(new ReplicaSet(urls, () => 0.999_999).current, urls[2]);
  });

  it('moves to the next after a failure at the current one, and wraps around', () => {
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
    assert.equal(replicas.failed(failing), false);
    assert.equal(replicas.current, urls[1]);
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
