import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAuthFailureLimiter, rateLimitedError } from '../src/tokens/auth-failure-limiter.js';

function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('a source is limited only after more failures than allowed within one window', () => {
  it('allows the limit, refuses the next one, and says how long to wait', () => {
    const clock = manualClock();
    const limiter = createAuthFailureLimiter({ clock, limit: 3, windowMs: 60_000 });
    assert.deepEqual(
      [1, 2, 3].map(() => limiter.recordFailure('10.0.0.1')),
      [undefined, undefined, undefined],
    );
    clock.advance(15_000);
    assert.equal(limiter.recordFailure('10.0.0.1'), 45_000);
  });

  it('counts each source on its own', () => {
    const limiter = createAuthFailureLimiter({ clock: manualClock(), limit: 1 });
    assert.equal(limiter.recordFailure('10.0.0.1'), undefined);
    assert.equal(limiter.recordFailure('10.0.0.2'), undefined);
    assert.notEqual(limiter.recordFailure('10.0.0.1'), undefined);
  });

  it('lets the source in again once the window has passed', () => {
    const clock = manualClock();
    const limiter = createAuthFailureLimiter({ clock, limit: 1, windowMs: 1_000 });
    limiter.recordFailure('10.0.0.1');
    assert.notEqual(limiter.recordFailure('10.0.0.1'), undefined);
    clock.advance(1_000);
    assert.equal(limiter.recordFailure('10.0.0.1'), undefined);
  });

  it('stays bounded under failures from very many sources', () => {
    const limiter = createAuthFailureLimiter({ clock: manualClock(), limit: 1, maxSources: 10 });
    for (let index = 0; index < 1_000; index += 1) assert.equal(limiter.recordFailure(`source-${index}`), undefined);
  });
});

describe('the rate_limited error carries whole seconds to wait, at least one', () => {
  it('rounds up', () => {
    assert.equal(rateLimitedError(1_200).details?.retryAfterSeconds, 2);
    assert.equal(rateLimitedError(0).details?.retryAfterSeconds, 1);
    assert.equal(rateLimitedError(0).code, 'rate_limited');
  });
});
