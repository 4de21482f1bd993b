import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { scopedIdempotencyKey } from '../idempotency.js';
import type { IdempotencyClaim } from '../idempotency.js';
import type { IdempotencyStore } from '../ports/store.js';
import { closingTest } from './store-test.js';

/**
 * Whose clock expires keys: the `nowMs` callers pass (memory and SQL stores), or the server's own
 * (Redis, which ignores `nowMs`); with `server`, expiry is shown by waiting past a short ttl.
 */
export type IdempotencyClock = 'caller' | 'server';

/** Declares a test that gets a fresh idempotency store. */
export type IdempotencyTest = (title: string, body: (store: IdempotencyStore) => Promise<void>) => void;

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const TTL = 60_000;
const KEY = scopedIdempotencyKey('acme', 'email.send', 'send invoice 42 → ü');
const RESULT = '{"messageId":"msg-1","accepted":["ceo@example.com"],"n":2.5}';

function claimIdOf(claim: IdempotencyClaim): string {
  assert.equal(claim.status, 'claimed', `expected a claim, got ${JSON.stringify(claim)}`);
  return claim.status === 'claimed' ? claim.claimId : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Cases for idempotency keys: one claimer runs the call, duplicates see it pending or done. */
export function describeIdempotency(test: IdempotencyTest, clock: IdempotencyClock): void {
  // With the caller's clock, time is whatever the test says; with the server's, it is now.
  const at = (offsetMs: number): number => (clock === 'caller' ? T0 + offsetMs : Date.now());

  describe('the first claimer runs the call; duplicates wait for it, then get its result', () => {
    test('claim, pending for a second claimer, complete, then done with the result', async (store) => {
      const claimId = claimIdOf(await store.claim(KEY, at(0), TTL));
      assert.deepEqual(await store.claim(KEY, at(1), TTL), { status: 'pending' });
      assert.equal(await store.complete(KEY, claimId, RESULT), true);
      assert.deepEqual(await store.claim(KEY, at(2), TTL), { status: 'done', result: RESULT });
      assert.deepEqual(await store.claim(KEY, at(3), TTL), { status: 'done', result: RESULT });
    });

    test('a released key is claimed by the next caller, with a new claim id', async (store) => {
      const first = claimIdOf(await store.claim(KEY, at(0), TTL));
      assert.equal(await store.release(KEY, first), true);
      const second = claimIdOf(await store.claim(KEY, at(1), TTL));
      assert.notEqual(second, first);
      assert.deepEqual(await store.claim(KEY, at(2), TTL), { status: 'pending' });
      // The released claim holds nothing any more.
      assert.equal(await store.complete(KEY, first, RESULT), false);
      assert.equal(await store.release(KEY, first), false);
      assert.equal(await store.complete(KEY, second, RESULT), true);
      assert.deepEqual(await store.claim(KEY, at(3), TTL), { status: 'done', result: RESULT });
    });

    test('complete and release with a claim id that does not hold the key return false', async (store) => {
      assert.equal(await store.complete(KEY, 'no-such-claim', RESULT), false);
      assert.equal(await store.release(KEY, 'no-such-claim'), false);
      const claimId = claimIdOf(await store.claim(KEY, at(0), TTL));
      assert.equal(await store.complete(KEY, `${claimId}x`, RESULT), false);
      assert.equal(await store.release(KEY, `${claimId}x`), false);
      assert.deepEqual(await store.claim(KEY, at(1), TTL), { status: 'pending' });
      assert.equal(await store.complete(KEY, claimId, RESULT), true);
    });

    test('a clock reading or a ttl with a fraction of a millisecond is accepted', async (store) => {
      claimIdOf(await store.claim(KEY, at(0) + 0.25, TTL + 0.5));
      assert.deepEqual(await store.claim(KEY, at(1) + 0.75, TTL), { status: 'pending' });
    });

    test('keys are independent, across tenants and tools too', async (store) => {
      const other = scopedIdempotencyKey('globex', 'email.send', 'send invoice 42 → ü');
      const third = scopedIdempotencyKey('acme', 'email.send', 'send invoice 43');
      const otherTool = scopedIdempotencyKey('acme', 'email.delete', 'send invoice 42 → ü');
      claimIdOf(await store.claim(otherTool, at(0), TTL));
      const first = claimIdOf(await store.claim(KEY, at(0), TTL));
      const second = claimIdOf(await store.claim(other, at(0), TTL));
      claimIdOf(await store.claim(third, at(0), TTL));
      assert.equal(await store.complete(KEY, second, RESULT), false);
      assert.equal(await store.complete(KEY, first, RESULT), true);
      assert.deepEqual(await store.claim(other, at(1), TTL), { status: 'pending' });
      assert.equal(await store.release(other, second), true);
      assert.deepEqual(await store.claim(KEY, at(2), TTL), { status: 'done', result: RESULT });
      assert.deepEqual(await store.claim(third, at(2), TTL), { status: 'pending' });
      claimIdOf(await store.claim(other, at(2), TTL));
    });
  });

  describe('50 callers racing for one key: exactly one runs the call', () => {
    test('one claimed, 49 pending; once completed, every duplicate gets the result', async (store) => {
      const claims = await Promise.all(Array.from({ length: 50 }, () => store.claim(KEY, at(0), TTL)));
      const claimed = claims.filter((claim) => claim.status === 'claimed');
      assert.equal(claimed.length, 1);
      assert.equal(claims.filter((claim) => claim.status === 'pending').length, 49);
      assert.equal(await store.complete(KEY, claimIdOf(claimed[0] as IdempotencyClaim), RESULT), true);
      const duplicates = await Promise.all(Array.from({ length: 50 }, () => store.claim(KEY, at(1), TTL)));
      assert.deepEqual(duplicates, Array(50).fill({ status: 'done', result: RESULT }));
    });
  });

  describe('a key is free again once its ttl has passed', () => {
    if (clock === 'caller') {
      test('a claim or a result older than its ttl counts as absent', async (store) => {
        const first = claimIdOf(await store.claim(KEY, at(0), TTL));
        assert.deepEqual(await store.claim(KEY, at(TTL - 1), TTL), { status: 'pending' });
        const second = claimIdOf(await store.claim(KEY, at(TTL), TTL));
        assert.notEqual(second, first);
        assert.equal(await store.complete(KEY, first, RESULT), false);
        assert.equal(await store.release(KEY, first), false);
        assert.equal(await store.complete(KEY, second, RESULT), true);
        // The result lives as long as the claim that produced it: ttl from the claim.
        assert.deepEqual(await store.claim(KEY, at(2 * TTL - 1), TTL), { status: 'done', result: RESULT });
        claimIdOf(await store.claim(KEY, at(2 * TTL), TTL));
      });
    } else {
      test('a claim or a result older than its ttl counts as absent (waits past a short ttl)', async (store) => {
        const first = claimIdOf(await store.claim(KEY, at(0), 50));
        await sleep(120);
        const second = claimIdOf(await store.claim(KEY, at(0), 300));
        assert.notEqual(second, first);
        assert.equal(await store.complete(KEY, first, RESULT), false);
        assert.equal(await store.complete(KEY, second, RESULT), true);
        assert.deepEqual(await store.claim(KEY, at(0), 300), { status: 'done', result: RESULT });
        await sleep(400);
        claimIdOf(await store.claim(KEY, at(0), TTL));
      });
    }
  });
}

/** An idempotency store that can be closed, as `runIdempotencyConformance` needs it. */
export interface ClosableIdempotencyStore extends IdempotencyStore {
  close(): Promise<void>;
}

/** Builds the `IdempotencyTest` for a factory of stores, closing each store afterwards. */
export function idempotencyTest(create: () => Promise<ClosableIdempotencyStore>): IdempotencyTest {
  return closingTest(create);
}
