import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SentinelCounter } from '../ports/sentinel-counter.js';

/**
 * The behaviour every `SentinelCounter` must show. `create` returns a counter with no groups
 * (a fresh key prefix, say); the suite closes it. Times are the caller's.
 *
 * @example
 * runSentinelCounterConformance({ name: 'Redis', create: async () => createRedisSentinelCounter({ prefix }) });
 */
export function runSentinelCounterConformance(options: { name: string; create: () => Promise<SentinelCounter> }): void {
  const withCounter = (body: (counter: SentinelCounter) => Promise<void>) => async () => {
    const counter = await options.create();
    try {
      await body(counter);
    } finally {
      await counter.close?.();
    }
  };
  // Times near now, so that counters whose keys expire by the wall clock keep them for the test.
  const base = Date.now();

  describe(`${options.name} conforms to the SentinelCounter port`, () => {
    it(
      'counts the events of a sliding window and forgets older ones',
      withCounter(async (counter) => {
        assert.equal(await counter.add('g', base, 1000, 1, 10), 1);
        assert.equal(await counter.add('g', base + 500, 1000, 1, 10), 2);
        assert.equal(await counter.add('g', base + 1000, 1000, 1, 10), 2);
        assert.equal(await counter.add('g', base + 1499, 1000, 1, 10), 3);
        assert.equal(await counter.add('g', base + 2600, 1000, 1, 10), 1);
      }),
    );

    it(
      'counts at most its limit of events of 1',
      withCounter(async (counter) => {
        for (let index = 0; index < 8; index++) {
          assert.equal(await counter.add('capped', base + index, 60_000, 1, 5), Math.min(index + 1, 5));
        }
      }),
    );

    it(
      'sums amounts, keeping only what reaching the limit needs',
      withCounter(async (counter) => {
        const limit = 10_000_000;
        assert.equal(await counter.add('spend', base, 1000, 4_000_000, limit), 4_000_000);
        assert.equal(await counter.add('spend', base + 100, 1000, 5_000_000, limit), 9_000_000);
        assert.equal(await counter.add('spend', base + 200, 1000, 3_000_000, limit), 12_000_000);
        assert.equal(await counter.add('spend', base + 300, 1000, 8_000_000, limit), 11_000_000);
        assert.equal(await counter.add('spend', base + 1250, 1000, 1_000_000, limit), 9_000_000);
      }),
    );

    it(
      'keeps groups apart',
      withCounter(async (counter) => {
        await counter.add('acme', base, 60_000, 1, 10);
        await counter.add('acme', base + 1, 60_000, 1, 10);
        assert.equal(await counter.add('globex', base + 2, 60_000, 1, 10), 1);
        assert.equal(await counter.add('acme', base + 3, 60_000, 1, 10), 3);
      }),
    );

    it(
      'peeks at the sum of a window without adding to it',
      withCounter(async (counter) => {
        assert.equal(await counter.peek('never-counted', base, 1000), 0);
        await counter.add('p', base, 1000, 1, 10);
        await counter.add('p', base + 500, 1000, 2, 10);
        assert.equal(await counter.peek('p', base + 600, 1000), 3);
        assert.equal(await counter.peek('p', base + 600, 1000), 3, 'peeking adds nothing');
        assert.equal(await counter.peek('p', base + 1200, 1000), 2, 'older events have left the window');
        await counter.reset('p');
        assert.equal(await counter.peek('p', base + 1200, 1000), 0);
      }),
    );

    it(
      'resets a group to zero for exactly one caller',
      withCounter(async (counter) => {
        await counter.add('tripped', base, 60_000, 1, 10);
        await counter.add('tripped', base + 1, 60_000, 1, 10);
        const resets = await Promise.all([counter.reset('tripped'), counter.reset('tripped')]);
        assert.deepEqual(resets.sort(), [false, true]);
        assert.equal(await counter.reset('never-counted'), false);
        assert.equal(await counter.add('tripped', base + 2, 60_000, 1, 10), 1);
      }),
    );
  });
}
