import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeEvent } from '@estop/core';
import { createStateHistory } from './state-history.js';

function event(version: number): ChangeEvent {
  return { version, at: new Date(0).toISOString(), changes: [] } as unknown as ChangeEvent;
}

/** Rules whose store holds versions 1..`head` and counts its reads. */
function countingRules(head: number, fail = false) {
  const counter = { reads: 0 };
  const rules = {
    async changesSince(version: number, limit?: number): Promise<ChangeEvent[]> {
      counter.reads += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fail) throw new Error('the store is away');
      const events: ChangeEvent[] = [];
      for (let next = version + 1; next <= head && events.length < (limit ?? Infinity); next++)
        events.push(event(next));
      return events;
    },
    async get() {
      return undefined;
    },
  };
  return { rules, counter };
}

describe('enforcers resuming from the same version at once cost the store one read', () => {
  it('shares a read under way and keeps a full answer', async () => {
    const { rules, counter } = countingRules(10);
    const history = createStateHistory(rules);
    const answers = await Promise.all(Array.from({ length: 1000 }, () => history.changesSince(8, 2)));
    assert.equal(counter.reads, 1);
    for (const answer of answers)
      assert.deepEqual(
        answer.map((change) => change.version),
        [9, 10],
      );
    assert.deepEqual(
      (await history.changesSince(8, 2)).map((change) => change.version),
      [9, 10],
    );
    assert.equal(counter.reads, 1);
    await history.changesSince(7, 3);
    assert.equal(counter.reads, 2);
  });

  it('asks again after a short answer or a failed read', async () => {
    const short = countingRules(9);
    const history = createStateHistory(short.rules);
    assert.equal((await history.changesSince(8, 2)).length, 1);
    await history.changesSince(8, 2);
    assert.equal(short.counter.reads, 2);

    const failing = countingRules(10, true);
    const away = createStateHistory(failing.rules);
    await assert.rejects(away.changesSince(8, 2));
    await assert.rejects(away.changesSince(8, 2));
    assert.equal(failing.counter.reads, 2);
  });

  it('keeps a bounded number of answers', async () => {
    const { rules, counter } = countingRules(100);
    const history = createStateHistory(rules);
    for (let version = 0; version < 40; version++) await history.changesSince(version, 1);
    assert.equal(counter.reads, 40);
    await history.changesSince(39, 1);
    assert.equal(counter.reads, 40);
    await history.changesSince(0, 1);
    assert.equal(counter.reads, 41);
  });
});
