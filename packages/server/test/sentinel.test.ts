import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { createMemoryStore, type SentinelSpec } from '@estop/core';
import { createRedisSentinelCounter } from '@estop/store-redis';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { eventually, startTestControlPlane, type TestControlPlane } from './harness.js';
import { redisReady, redisUrl } from './redis-probe.js';

const SPECS: SentinelSpec[] = [
  {
    name: 'email-flood',
    signal: 'writes',
    tool: 'email.*',
    per: 'tenant',
    threshold: 3,
    windowMs: 60_000,
    mode: 'read_only',
  },
  {
    name: 'loop',
    signal: 'duplicates',
    per: 'run',
    threshold: 2,
    windowMs: 60_000,
    mode: 'full_stop',
    expiresInMs: 600_000,
  },
  { name: 'error-burst', signal: 'failures', per: 'agent', threshold: 2, windowMs: 60_000, mode: 'read_only' },
  { name: 'big-spender', signal: 'spend', per: 'tenant', threshold: 10, windowMs: 3_600_000, mode: 'full_stop' },
];

describe('sentinels trip on what the control plane hears of writes, each trip a rule by sentinel:<name>', () => {
  let cp: TestControlPlane;
  let enforcer: string;
  before(async () => {
    cp = await startTestControlPlane({ sentinels: SPECS });
    enforcer = await cp.token('enforcer');
  });
  after(() => cp.close());

  const claim = (body: Record<string, unknown>) =>
    cp.request('/v1/idempotency/claim', { token: enforcer, body: { windowMs: 60_000, ...body } });
  const sentinelRules = async (name: string) =>
    ((await cp.request('/v1/rules')).body.rules as any[]).filter((rule) => rule.actor.id === `sentinel:${name}`);

  it('lists the configured sentinels to operators', async () => {
    const listed = await cp.request('/v1/sentinels');
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.sentinels,
      SPECS.map((spec) => ({ ...spec, enforce: true, observed: { peak: 0, trips: 0, wouldTrips: 0 }, trips: [] })),
    );
  });

  it('a flood of writes of one tool trips read_only on the tenant and that tool, once, audited', async () => {
    for (let index = 0; index < 5; index++) {
      const answer = await claim({ tenant: 'acme', agent: 'mailer', tool: 'email.send', key: `mail-${index}` });
      assert.equal(answer.body.status, 'claimed');
    }
    const [rule, ...others] = await eventually(async () => {
      const rules = await sentinelRules('email-flood');
      return rules.length > 0 ? rules : undefined;
    });
    assert.equal(others.length, 0, 'a burst trips once while its rule stands');
    assert.deepEqual(rule.scope, { tenant: 'acme', tool: 'email.*' });
    assert.equal(rule.mode, 'read_only');
    assert.deepEqual(rule.actor, { id: 'sentinel:email-flood', kind: 'system' });
    assert.equal(rule.reason, 'sentinel email-flood: 3 writes of email.* for tenant=acme within 1m');

    const audit = await cp.request('/v1/audit');
    const entry = audit.body.entries.find((candidate: any) => candidate.ruleId === rule.id);
    assert.equal(entry.action, 'rule-created');
    assert.deepEqual(entry.actor, { id: 'sentinel:email-flood', kind: 'system' });
    assert.equal(entry.data.sentinel, 'email-flood');
    assert.equal(entry.data.count, 3);

    // Other tools and other tenants are counted apart and not stopped.
    for (let index = 0; index < 5; index++) await claim({ tenant: 'globex', tool: 'crm.update', key: `crm-${index}` });
    assert.equal((await sentinelRules('email-flood')).length, 1);
  });

  it('identical writes repeated in one run trip a full stop of that run, which expires by itself', async () => {
    const write = { tenant: 'acme', agent: 'looper', run: 'run_7', tool: 'ticket.create', args: { title: 'same' } };
    assert.equal((await claim(write)).body.status, 'claimed');
    assert.equal((await claim(write)).body.status, 'pending');
    assert.equal((await claim(write)).body.status, 'pending');
    const [rule] = await eventually(async () => {
      const rules = await sentinelRules('loop');
      return rules.length > 0 ? rules : undefined;
    });
    assert.deepEqual(rule.scope, { tenant: 'acme', run: 'run_7' });
    assert.equal(rule.mode, 'full_stop');
    assert.ok(rule.expiresAt !== undefined);
    assert.match(rule.reason, /^sentinel loop: 2 duplicate writes for tenant=acme run=run_7 within 1m$/);
  });

  it("the spend runs report, summed across a tenant's runs, trips a full stop of the tenant", async () => {
    const usage = (spentUsd: number) => ({ steps: 1, toolCalls: 1, spentUsd, reservedUsd: 0 });
    const start = (id: string) => ({
      id,
      tenant: 'spendco',
      agent: 'buyer',
      enforcer: 'sdk_spend',
      heartbeatMs: 5000,
      startedAt: new Date().toISOString(),
    });
    const beat = async (id: string, spentUsd: number) => {
      const answer = await cp.request(`/v1/runs/${id}/heartbeat`, {
        token: enforcer,
        body: { status: 'running', inFlight: [], usage: usage(spentUsd) },
      });
      assert.equal(answer.status, 204);
    };
    for (const id of ['run_a', 'run_b'])
      assert.equal((await cp.request('/v1/runs', { token: enforcer, body: start(id) })).status, 201);
    await beat('run_a', 4);
    await beat('run_a', 4); // the same total again is no new spend
    await beat('run_b', 3.5);
    await beat('run_a', 6); // $2 more: $9.50 in all
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await sentinelRules('big-spender')).length, 0);
    await beat('run_b', 4.25); // $0.75 more: $10.25
    const [rule] = await eventually(async () => {
      const rules = await sentinelRules('big-spender');
      return rules.length > 0 ? rules : undefined;
    });
    assert.deepEqual(rule.scope, { tenant: 'spendco' });
    assert.equal(rule.mode, 'full_stop');
    assert.equal(rule.reason, 'sentinel big-spender: $10.25 spent for tenant=spendco within 1h');
  });

  it("failed writes of one agent trip read_only on that agent; keys given back for other reasons don't count", async () => {
    const release = async (key: string, failed: boolean) => {
      const claimed = await claim({ tenant: 'initech', agent: 'flaky', tool: 'crm.update', key });
      const body = { tenant: 'initech', tool: 'crm.update', key, claimId: claimed.body.claimId };
      const answer = await cp.request('/v1/idempotency/release', {
        token: enforcer,
        body: failed ? { ...body, failed: true, agent: 'flaky' } : body,
      });
      assert.equal(answer.status, 204);
    };
    await release('not-run-1', false);
    await release('not-run-2', false);
    assert.equal((await sentinelRules('error-burst')).length, 0);
    await release('failed-1', true);
    await release('failed-2', true);
    const [rule] = await eventually(async () => {
      const rules = await sentinelRules('error-burst');
      return rules.length > 0 ? rules : undefined;
    });
    assert.deepEqual(rule.scope, { tenant: 'initech', agent: 'flaky' });
  });
});

describe('replicas counting in Redis reach one threshold together and trip once', () => {
  it('writes spread over two control planes trip one rule', async (context) => {
    if (!(await redisReady(context))) return;
    const prefix = `estop-test:${randomUUID()}:sentinel:`;
    const store = createMemoryStore({ sha256: sha256Hex });
    const spec: SentinelSpec = {
      name: 'flood',
      signal: 'writes',
      per: 'tenant',
      threshold: 6,
      windowMs: 60_000,
      mode: 'read_only',
    };
    const replicas = [
      await startTestControlPlane({
        store,
        sentinels: [spec],
        sentinelCounter: createRedisSentinelCounter({ url: redisUrl, prefix }),
      }),
      await startTestControlPlane({
        store,
        sentinels: [spec],
        sentinelCounter: createRedisSentinelCounter({ url: redisUrl, prefix }),
      }),
    ];
    try {
      const tokens = await Promise.all(replicas.map((replica) => replica.token('enforcer')));
      // Five writes are under the threshold, wherever they land: a replica counting alone would not trip at all.
      await Promise.all(
        Array.from({ length: 5 }, (_, index) =>
          replicas[index % 2]!.request('/v1/idempotency/claim', {
            token: tokens[index % 2]!,
            body: { tenant: 'acme', tool: 'email.send', key: `k${index}`, windowMs: 60_000 },
          }),
        ),
      );
      const rulesNow = async () =>
        ((await replicas[0]!.request('/v1/rules')).body.rules as any[]).filter(
          (rule) => rule.actor.id === 'sentinel:flood',
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal((await rulesNow()).length, 0);
      await Promise.all(
        Array.from({ length: 4 }, (_, index) =>
          replicas[index % 2]!.request('/v1/idempotency/claim', {
            token: tokens[index % 2]!,
            body: { tenant: 'acme', tool: 'email.send', key: `more${index}`, windowMs: 60_000 },
          }),
        ),
      );
      const tripped = await eventually(async () => {
        const rules = await rulesNow();
        return rules.length > 0 ? rules : undefined;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal((await rulesNow()).length, 1, JSON.stringify(tripped));
    } finally {
      await replicas[1]!.plane.close();
      await replicas[0]!.close();
    }
  });
});

describe('without sentinels nothing trips', () => {
  it('a flood of writes creates no rule', async () => {
    const cp = await startTestControlPlane();
    try {
      const enforcer = await cp.token('enforcer');
      for (let index = 0; index < 20; index++) {
        await cp.request('/v1/idempotency/claim', {
          token: enforcer,
          body: { tenant: 'acme', tool: 'email.send', key: `k${index}`, windowMs: 1000 },
        });
      }
      assert.equal((await cp.request('/v1/rules')).body.rules.length, 0);
    } finally {
      await cp.close();
    }
  });
});
