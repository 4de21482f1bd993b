import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Clock, SentinelCounter, SentinelSpec } from '@estop/core';
import { createRedisSentinelCounter } from '@estop/store-redis';
import { eventually, startTestControlPlane, type TestControlPlane } from './harness.js';
import { redisReady, redisUrl } from './redis-probe.js';

const WINDOW = 60_000;
const SPECS: SentinelSpec[] = [
  { name: 'flood', signal: 'writes', per: 'tenant', threshold: 3, windowMs: WINDOW, mode: 'read_only' },
  // A full stop: lifting it is a governed restore request under the default policy.
  {
    name: 'stampede',
    signal: 'writes',
    tool: 'crm.*',
    per: 'tenant',
    threshold: 3,
    windowMs: WINDOW,
    mode: 'full_stop',
  },
];

function movableClock(startMs: number): Clock & { advance(ms: number): void } {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms) => void (nowMs += ms) };
}

async function withPlane(
  counter: SentinelCounter | undefined,
  body: (cp: TestControlPlane, clock: ReturnType<typeof movableClock>) => Promise<void>,
) {
  // Near the wall clock: Redis keys expire by it.
  const clock = movableClock(Date.now());
  const cp = await startTestControlPlane({ clock, sentinels: SPECS, sentinelCounter: counter });
  try {
    await body(cp, clock);
  } finally {
    await cp.close();
  }
}

async function trip(
  cp: TestControlPlane,
  enforcer: string,
  tenant: string,
  tool: string,
  name: string,
): Promise<string> {
  for (let index = 0; index < 3; index++) {
    const claimed = await cp.request('/v1/idempotency/claim', {
      token: enforcer,
      body: { tenant, tool, key: `${randomUUID()}`, windowMs: 1000 },
    });
    assert.equal(claimed.status, 200);
  }
  const rule = await eventually(async () =>
    ((await cp.request('/v1/rules')).body.rules as any[]).find(
      (candidate) => candidate.actor.id === `sentinel:${name}` && candidate.scope.tenant === tenant,
    ),
  );
  return rule.id as string;
}

async function liftGuard(counter: SentinelCounter | undefined): Promise<void> {
  await withPlane(counter, async (cp, clock) => {
    const enforcer = await cp.token('enforcer');
    const ruleId = await trip(cp, enforcer, 'acme', 'email.send', 'flood');

    const refused = await cp.request(`/v1/rules/${ruleId}/lift`, { body: { reason: 'looks fine' } });
    assert.equal(refused.status, 409);
    assert.equal(refused.type, 'application/problem+json');
    assert.equal(refused.body.code, 'cause_continues');
    assert.equal(refused.body.sentinel, 'flood');
    assert.equal(refused.body.count, 3);
    assert.equal(refused.body.threshold, 3);
    assert.equal(refused.body.windowMs, WINDOW);
    assert.match(refused.body.detail, /its cause continues: 3 within the last 1m, threshold 3/);
    assert.ok(((await cp.request('/v1/rules')).body.rules as any[]).some((rule) => rule.id === ruleId));

    // The dashboard and `estop sentinels` see the same before anyone presses a button.
    const view = ((await cp.request('/v1/sentinels')).body.sentinels as any[]).find((item) => item.name === 'flood');
    assert.deepEqual(view.trips, [
      {
        ruleId,
        scope: { tenant: 'acme' },
        cause: { sentinel: 'flood', count: 3, threshold: 3, windowMs: WINDOW, hot: true },
      },
    ]);

    const forced = await cp.request(`/v1/rules/${ruleId}/lift`, {
      body: { reason: 'the agent is fixed', force: true },
    });
    assert.equal(forced.status, 200, JSON.stringify(forced.body));
    const lifted = ((await cp.request('/v1/audit')).body.entries as any[]).find(
      (entry) => entry.action === 'rule-lifted' && entry.ruleId === ruleId,
    );
    assert.equal(lifted.reason, 'the agent is fixed');
    assert.equal(lifted.data.force, true);
    assert.deepEqual(lifted.data.cause, { sentinel: 'flood', count: 3, threshold: 3, windowMs: WINDOW, hot: true });

    // Once the window has passed, a trip lifts without force, and its audit entry says nothing of it.
    const second = await trip(cp, enforcer, 'globex', 'email.send', 'flood');
    clock.advance(WINDOW + 1);
    const calm = await cp.request(`/v1/rules/${second}/lift`, { body: { reason: 'quiet now' } });
    assert.equal(calm.status, 200, JSON.stringify(calm.body));
    const calmEntry = ((await cp.request('/v1/audit')).body.entries as any[]).find(
      (entry) => entry.action === 'rule-lifted' && entry.ruleId === second,
    );
    assert.equal(calmEntry.data.force, undefined);

    // A governed lift: refused while hot, forced into a request, confirmed by a second admin.
    const governed = await trip(cp, enforcer, 'initech', 'crm.update', 'stampede');
    const asked = await cp.request(`/v1/rules/${governed}/lift`, { body: { reason: 'restore' } });
    assert.equal(asked.status, 409);
    assert.equal(asked.body.code, 'cause_continues');
    const forcedRequest = await cp.request(`/v1/rules/${governed}/lift`, { body: { reason: 'restore', force: true } });
    assert.equal(forcedRequest.status, 202, JSON.stringify(forcedRequest.body));
    assert.equal(forcedRequest.body.request.force, true);
    const second_admin = await cp.token('admin', undefined, `second-${randomUUID().slice(0, 8)}`);
    const confirmed = await cp.request(`/v1/restore-requests/${forcedRequest.body.request.id}/confirm`, {
      token: second_admin,
      body: { reason: 'agreed' },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    const governedEntry = ((await cp.request('/v1/audit')).body.entries as any[]).find(
      (entry) => entry.action === 'rule-lifted' && entry.ruleId === governed,
    );
    assert.equal(governedEntry.data.force, true);
  });
}

describe('a trip is not lifted while its cause continues', () => {
  it('counting in memory', () => liftGuard(undefined));

  it('counting in Redis', async (context) => {
    if (!(await redisReady(context))) return;
    await liftGuard(createRedisSentinelCounter({ url: redisUrl, prefix: `estop-test:${randomUUID()}:sentinel:` }));
  });
});
