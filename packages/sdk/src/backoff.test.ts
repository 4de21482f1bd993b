import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from './backoff.js';

describe('reconnect delays grow exponentially with full jitter, up to a cap', () => {
  it('draws each delay from a window that doubles until the cap', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 1_000, random: () => 0.999_999 });
    assert.deepEqual(
      Array.from({ length: 7 }, () => backoff.next()),
      [99, 199, 399, 799, 999, 999, 999],
    );
  });

  it('can draw any delay from zero up, so that enforcers spread out', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 1_000, random: () => 0 });
    assert.equal(backoff.next(), 0);
    const real = new Backoff({ baseMs: 100, maxMs: 1_000 });
    for (let attempt = 0; attempt < 100; attempt++) {
      const delay = real.next();
      assert.ok(delay >= 0 && delay < 1_000);
    }
  });

  it('starts again from the smallest window after a reset', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 5_000, random: () => 0.5 });
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.next(), 50);
  });

  it('does not overflow after many attempts', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 5_000, random: () => 0.5 });
    for (let attempt = 0; attempt < 10_000; attempt++) backoff.next();
    assert.equal(backoff.next(), 2_500);
  });
});
