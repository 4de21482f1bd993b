import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock, SentinelSpec } from '@estop/core';
import { eventually, startTestControlPlane, type TestControlPlane } from './harness.js';

const WINDOW = 60_000;
const shadow: SentinelSpec = {
  name: 'shadow-flood',
  signal: 'writes',
  tool: 'email.*',
  per: 'tenant',
  threshold: 3,
  windowMs: WINDOW,
  mode: 'read_only',
  enforce: false,
};
// The same sentinel enforcing, counting the same writes: what the shadow would have done, it does.
const enforcing: SentinelSpec = { ...shadow, name: 'real-flood', enforce: undefined };

function movableClock(startMs: number): Clock & { advance(ms: number): void } {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms) => void (nowMs += ms) };
}

const wouldTrips = async (cp: TestControlPlane) =>
  ((await cp.request('/v1/audit')).body.entries as any[]).filter((entry) => entry.action === 'sentinel-would-trip');
const rulesOf = async (cp: TestControlPlane, name: string) =>
  ((await cp.request('/v1/rules')).body.rules as any[]).filter((rule) => rule.actor.id === `sentinel:${name}`);

describe('a sentinel in shadow counts as one that enforces, and records instead of stopping', () => {
  it('under load it never creates a rule, and writes sentinel-would-trip once per window crossing', async () => {
    const clock = movableClock(Date.parse('2026-06-01T12:00:00.000Z'));
    const cp = await startTestControlPlane({ clock, sentinels: [shadow, enforcing] });
    try {
      const enforcer = await cp.token('enforcer');
      let key = 0;
      const flood = (count: number, tenant = 'acme') =>
        Promise.all(
          Array.from({ length: count }, () =>
            cp.request('/v1/idempotency/claim', {
              token: enforcer,
              body: { tenant, tool: 'email.send', key: `k${(key += 1)}`, windowMs: 1000 },
            }),
          ),
        );
      await flood(30);
      await eventually(async () => (await wouldTrips(cp)).length > 0);
      await eventually(async () => (await rulesOf(cp, 'real-flood')).length > 0);
      await cp.plane.flushAudit();
      await new Promise((resolve) => setTimeout(resolve, 100));

      assert.deepEqual(await rulesOf(cp, 'shadow-flood'), [], 'a shadow sentinel stops nothing');
      assert.equal((await rulesOf(cp, 'real-flood')).length, 1, 'the enforcing twin tripped on the same writes');
      const [entry, ...more] = await wouldTrips(cp);
      assert.equal(more.length, 0, '30 writes over a threshold of 3 in one window: one would-trip');
      assert.deepEqual(entry.actor, { id: 'sentinel:shadow-flood', kind: 'system' });
      assert.deepEqual(entry.scope, { tenant: 'acme', tool: 'email.*' });
      assert.equal(entry.data.sentinel, 'shadow-flood');
      assert.equal(entry.data.count, 3);
      assert.equal(entry.data.threshold, 3);
      assert.equal(entry.data.mode, 'read_only');
      assert.match(
        entry.reason,
        /^sentinel shadow-flood \(shadow\) would have stopped tenant=acme tool=email\.\* \(read_only\)/,
      );

      // Another tenant is its own group; and a window later the same one crosses anew.
      await flood(3, 'globex');
      await eventually(async () => (await wouldTrips(cp)).length === 2);
      clock.advance(WINDOW + 1);
      await flood(3);
      await eventually(async () => (await wouldTrips(cp)).length === 3);
      assert.deepEqual(await rulesOf(cp, 'shadow-flood'), []);

      const listed = (await cp.request('/v1/sentinels')).body.sentinels as any[];
      const view = listed.find((sentinel) => sentinel.name === 'shadow-flood');
      assert.equal(view.enforce, false);
      assert.equal(view.observed.wouldTrips, 3);
      assert.equal(view.observed.trips, 0);
      assert.equal(view.observed.peak, 3);
      assert.deepEqual(view.trips, []);
      const real = listed.find((sentinel) => sentinel.name === 'real-flood');
      assert.equal(real.enforce, true);
      assert.equal(real.observed.wouldTrips, 0);
      assert.ok(real.observed.trips >= 1);

      const metrics = await (await fetch(`${cp.url}/metrics`)).text();
      assert.match(metrics, /^estop_sentinel_trips_total\{sentinel="shadow-flood",outcome="would_trip"\} 3$/m);
      assert.match(metrics, /^estop_sentinel_trips_total\{sentinel="real-flood",outcome="tripped"\} [1-9]/m);
    } finally {
      await cp.close();
    }
  });
});
