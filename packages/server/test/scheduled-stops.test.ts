import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildRuleIndex, decide, type Clock, type Store } from '@estop/core';
import { createPostgresStore } from '@estop/store-postgres';
import { createSqliteStore } from '@estop/store-sqlite';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { eventually, startTestControlPlane, type TestControlPlane } from './harness.js';
import { databaseUrl, postgresSchema } from './postgres-schema.js';

const HOUR = 3_600_000;

/** A clock the test moves: the control plane reads it for starts, expiries and status. */
function movableClock(startMs: number): Clock & { set(ms: number): void } {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    set: (ms) => {
      nowMs = ms;
    },
  };
}

const started = async (cp: TestControlPlane, ruleId: string) =>
  ((await cp.request('/v1/audit')).body.entries as any[]).filter(
    (entry) => entry.action === 'rule-started' && entry.ruleId === ruleId,
  );

const statusOf = async (cp: TestControlPlane, ruleId: string) =>
  ((await cp.request('/v1/rules')).body.rules as any[]).find((rule) => rule.id === ruleId)?.status;

describe('a scheduled stop is pushed at once, listed as scheduled, and starts by the clock', () => {
  it('is created with its start, shown as scheduled, enforced and audited once from its start', async () => {
    const clock = movableClock(Date.parse('2026-12-24T12:00:00.000Z'));
    const cp = await startTestControlPlane({ clock, expiryCheckMs: 20 });
    try {
      const created = await cp.request('/v1/rules', {
        body: {
          scope: { tenant: 'acme' },
          mode: 'full_stop',
          reason: 'holiday freeze',
          startsAt: '2026-12-24T18:00:00Z',
          expiresIn: '12h',
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { rule } = created.body;
      assert.equal(rule.startsAt, '2026-12-24T18:00:00.000Z');
      assert.equal(rule.expiresAt, '2026-12-25T06:00:00.000Z', 'expiresIn counts from the start');

      // Pushed now: enforcers hold it, and decide by their own clock.
      const state = (await cp.request('/v1/state')).body;
      assert.ok(state.rules.some((held: any) => held.id === rule.id));
      const index = buildRuleIndex(state);
      const call = { tenant: 'acme', tool: 'email.send' };
      assert.equal(decide(index, call, Date.parse('2026-12-24T17:59:59.999Z')).outcome, 'allow');
      assert.equal(decide(index, call, Date.parse('2026-12-24T18:00:00.000Z')).outcome, 'deny');

      assert.equal(await statusOf(cp, rule.id), 'scheduled');
      const audit = (await cp.request('/v1/audit')).body.entries as any[];
      const creation = audit.find((entry) => entry.ruleId === rule.id && entry.action === 'rule-created');
      assert.equal(creation.data.startsAt, '2026-12-24T18:00:00.000Z');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(await started(cp, rule.id), [], 'nothing started before its time');

      clock.set(Date.parse('2026-12-24T18:00:01.000Z'));
      const [entry, ...more] = await eventually(async () => {
        const entries = await started(cp, rule.id);
        return entries.length > 0 ? entries : undefined;
      });
      assert.equal(more.length, 0);
      assert.deepEqual(entry.actor, { id: 'system', kind: 'system' });
      assert.deepEqual(entry.scope, { tenant: 'acme' });
      assert.equal(entry.data.startsAt, '2026-12-24T18:00:00.000Z');
      assert.equal(await statusOf(cp, rule.id), 'active');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal((await started(cp, rule.id)).length, 1, 'audited once, however many checks pass');
      assert.equal((await cp.request('/v1/audit/verify')).body.ok, true);
    } finally {
      await cp.close();
    }
  });

  it('refuses a start in the past, one too far away, an expiry before it, and cancelInFlight with it', async () => {
    const clock = movableClock(Date.parse('2026-12-24T12:00:00.000Z'));
    const cp = await startTestControlPlane({ clock });
    try {
      const attempt = (extra: Record<string, unknown>) =>
        cp.request('/v1/rules', { body: { scope: { tenant: 'acme' }, reason: 'freeze', ...extra } });
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ startsAt: '2026-12-24T11:59:59Z' }, /startsAt is in the past/],
        [{ startsAt: '2028-01-01T00:00:00Z' }, /startsAt is more than 366d away/],
        [{ startsAt: '2026-12-24T18:00:00Z', expiresAt: '2026-12-24T17:00:00Z' }, /expiresAt is not after startsAt/],
        [{ startsAt: '2026-12-24T18:00:00Z', cancelInFlight: true }, /cannot cancel calls in flight/],
        [{ startsAt: 'tomorrow' }, /startsAt/],
      ];
      for (const [extra, message] of cases) {
        const answer = await attempt(extra);
        assert.equal(answer.status, 400, JSON.stringify(extra));
        assert.equal(answer.type, 'application/problem+json');
        assert.equal(answer.body.code, 'invalid_request');
        assert.match(answer.body.detail, message);
      }
      assert.equal((await cp.request('/v1/rules')).body.rules.length, 0, 'nothing was created');
    } finally {
      await cp.close();
    }
  });
});

describe('a scheduled stop survives a restart of the control plane', () => {
  it('on a SQLite file: created, restarted after its time passed, then enforced and audited once', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'estop-scheduled-')), 'estop.db');
    const open = () => createSqliteStore({ file, sha256: sha256Hex });
    const clock = movableClock(Date.parse('2026-12-24T12:00:00.000Z'));
    const first = await startTestControlPlane({ store: open(), clock, expiryCheckMs: 20 });
    let ruleId: string;
    try {
      const created = await first.request('/v1/rules', {
        body: { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'freeze', startsAt: '2026-12-24T18:00:00Z' },
      });
      assert.equal(created.status, 201);
      ruleId = created.body.rule.id;
    } finally {
      await first.close();
    }

    // The start passes while no control plane runs.
    clock.set(Date.parse('2026-12-24T19:00:00.000Z'));
    for (let restart = 0; restart < 2; restart++) {
      const cp = await startTestControlPlane({ store: open(), clock, expiryCheckMs: 20 });
      try {
        const state = (await cp.request('/v1/state')).body;
        const held = state.rules.find((rule: any) => rule.id === ruleId);
        assert.equal(held.startsAt, '2026-12-24T18:00:00.000Z', 'the start is kept in the store');
        const decision = decide(buildRuleIndex(state), { tenant: 'acme', tool: 'crm.update' }, clock.now());
        assert.equal(decision.outcome, 'deny');
        assert.equal(decision.ruleId, ruleId);
        assert.equal(await statusOf(cp, ruleId), 'active');
        await eventually(async () => (await started(cp, ruleId)).length > 0);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal((await started(cp, ruleId)).length, 1, `audited once (after restart ${restart + 1})`);
      } finally {
        await cp.close();
      }
    }
  });

  const postgres = postgresSchema('estop_scheduled');
  after(() => postgres.drop());

  it('on PostgreSQL with two replicas: the start is audited once', async (context) => {
    if (!(await postgres.ready(context))) return;
    const open = (): Store => createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema: postgres.schema });
    const clock = movableClock(Date.parse('2026-12-24T12:00:00.000Z'));
    const replicas = [
      await startTestControlPlane({ store: open(), clock, expiryCheckMs: 5, replicaPollMs: 20 }),
      await startTestControlPlane({ store: open(), clock, expiryCheckMs: 5, replicaPollMs: 20 }),
    ];
    try {
      const [first, second] = replicas as [TestControlPlane, TestControlPlane];
      const created = await first.request('/v1/rules', {
        body: { scope: { tenant: 'acme' }, reason: 'freeze', startsAt: '2026-12-24T13:00:00Z', expiresIn: '1h' },
      });
      assert.equal(created.status, 201);
      const ruleId = created.body.rule.id as string;
      await eventually(async () => (await statusOf(second, ruleId)) === 'scheduled');
      clock.set(Date.parse('2026-12-24T13:00:00.000Z') + HOUR / 2);
      await eventually(async () => (await started(first, ruleId)).length > 0);
      await eventually(async () => (await statusOf(second, ruleId)) === 'active');
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal((await started(second, ruleId)).length, 1);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
