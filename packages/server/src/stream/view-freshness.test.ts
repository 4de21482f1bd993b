import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEstopError } from '@estop/core';
import { createViewFreshness } from './view-freshness.js';

describe('a replica vouches for its view only within the bound after the start of its last good read', () => {
  it('is current within the bound, then unavailable, and tells its listeners once', async () => {
    let now = 1000;
    const view = createViewFreshness({ staleAfterMs: 40, now: () => now });
    let lost = 0;
    view.onLost(() => (lost += 1));
    try {
      assert.equal(view.isCurrent(), true);
      view.requireCurrent();
      now += 41;
      assert.equal(view.isCurrent(), false);
      assert.throws(
        () => view.requireCurrent(),
        (error: unknown) => isEstopError(error, 'unavailable'),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(lost, 1);
    } finally {
      view.close();
    }
  });

  it('counts a read that ends late from when it started: a queued read does not make an old view current', () => {
    let now = 0;
    const view = createViewFreshness({ staleAfterMs: 100, now: () => now });
    try {
      const started = view.now();
      // The read queued for longer than the bound: the state it returns is that old already.
      now = 500;
      view.confirm(started);
      assert.equal(view.isCurrent(), false);
      view.confirm(view.now());
      assert.equal(view.isCurrent(), true);
      // An older read that ends after a newer one takes nothing back.
      view.confirm(started);
      assert.equal(view.isCurrent(), true);
    } finally {
      view.close();
    }
  });

  it('calls a waiter once, at the first read that leaves the view current', () => {
    let now = 0;
    const view = createViewFreshness({ staleAfterMs: 100, now: () => now });
    let woken = 0;
    try {
      now = 500;
      view.whenCurrent(() => (woken += 1));
      // A read that started before the view went stale wakes no one.
      view.confirm(0);
      assert.equal(woken, 0);
      view.confirm(now);
      view.confirm(now);
      assert.equal(woken, 1);
      now = 1000;
      const cancel = view.whenCurrent(() => (woken += 1));
      cancel();
      view.confirm(now);
      assert.equal(woken, 1);
    } finally {
      view.close();
    }
  });

  it('says the latest read failed until a read succeeds', () => {
    const view = createViewFreshness({ staleAfterMs: 100 });
    try {
      assert.equal(view.failing, false);
      view.failed();
      assert.equal(view.failing, true);
      view.confirm(view.now());
      assert.equal(view.failing, false);
    } finally {
      view.close();
    }
  });
});
