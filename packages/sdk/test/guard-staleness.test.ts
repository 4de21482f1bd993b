import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Call } from '@estop/core';
import { FakeControlPlane } from './fake-control-plane.js';
import { createTestGuard } from './test-guard.js';
import { waitFor } from './wait-for.js';

const write: Call = { tenant: 'acme', tool: 'email.send', effect: 'write' };
const read: Call = { tenant: 'acme', tool: 'crm.lookup', effect: 'read' };

describe('a guard that hears nothing for longer than staleAfterMs fails safe', () => {
  it('denies writes with source stale, lets reads pass under read_only, and recovers when the control plane speaks again', async () => {
    const fake = await FakeControlPlane.start({ keepAliveMs: 50 });
    const { guard, errors } = createTestGuard(fake, { staleAfterMs: 300 });
    try {
      await guard.ready();
      await waitFor('keep-alives to keep the guard fresh', () => !guard.stale);
      assert.equal(guard.decide(write).outcome, 'allow');

      fake.silence();
      await waitFor('the guard to go stale', () => guard.stale);
      const decision = guard.decide(write);
      assert.equal(decision.outcome, 'deny');
      assert.equal(decision.source, 'stale');
      assert.equal(decision.mode, 'read_only');
      assert.equal(decision.reason, 'no word from the control plane for 300ms; failing safe to read_only');
      assert.equal(guard.decide(read).outcome, 'allow');
      await waitFor('the silent connection to be dropped and reported', () =>
        errors.some((error) => error.code === 'timeout'),
      );

      fake.resume();
      await waitFor('the guard to be fresh again', () => !guard.stale);
      assert.equal(guard.decide(write).outcome, 'allow');
    } finally {
      await guard.close();
      await fake.close();
    }
  });

  it('refuses reads as well when the fail mode is full_stop', async () => {
    const fake = await FakeControlPlane.start({ keepAliveMs: 50 });
    const { guard } = createTestGuard(fake, { staleAfterMs: 300, failMode: 'full_stop' });
    try {
      await guard.ready();
      fake.silence();
      await waitFor('the guard to go stale', () => guard.stale);
      const decision = guard.decide(read);
      assert.equal(decision.outcome, 'deny');
      assert.equal(decision.source, 'stale');
    } finally {
      await guard.close();
      await fake.close();
    }
  });

  it('judges staleness by the injected clock', async () => {
    const fake = await FakeControlPlane.start();
    let now = Date.now();
    const { guard } = createTestGuard(fake, { clock: { now: () => now } });
    try {
      await guard.ready();
      assert.equal(guard.stale, false);
      now += 15_001;
      assert.equal(guard.stale, true);
      assert.equal(guard.decide(write).source, 'stale');
    } finally {
      await guard.close();
      await fake.close();
    }
  });
});
