import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Store } from '@estop/core';
import { createGuard, type Guard } from '@estop/sdk';
import { createPostgresStore } from '@estop/store-postgres';
import { createSqliteStore } from '@estop/store-sqlite';
import { databaseUrl, postgresSchema } from '../../packages/server/test/postgres-schema.js';
import {
  eventually,
  sha256Hex,
  startTestControlPlane,
  type TestControlPlane,
} from '../../packages/server/test/harness.js';

let cp: TestControlPlane;
let guard: Guard;
let secondAdmin: string;
before(async () => {
  cp = await startTestControlPlane();
  secondAdmin = await cp.token('admin', undefined, 'second-admin');
  guard = createGuard({ url: cp.url, token: await cp.token('enforcer'), onError: () => {} });
  await guard.ready();
});
after(async () => {
  await guard.close();
  await cp.close();
});

async function stop(scope: Record<string, string>, mode: string): Promise<{ id: string; version: number }> {
  const created = await cp.request('/v1/rules', { body: { scope, mode, reason: 'incident' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await eventually(() => guard.version >= created.body.version);
  return { id: created.body.rule.id, version: created.body.version };
}

describe('lifting a governed rule waits for a second admin', () => {
  it('a full_stop lift creates a request; the rule, the version and the denial stay', async () => {
    const call = { tenant: 'governed', tool: 'email.send' };
    const rule = await stop({ tenant: 'governed' }, 'full_stop');
    const lifted = await cp.request(`/v1/rules/${rule.id}/lift`, { body: { reason: 'fixed' } });
    assert.equal(lifted.status, 202);
    assert.equal(lifted.body.request.ruleId, rule.id);
    assert.match(lifted.body.message, /different admin must confirm|until a different admin confirms/);
    assert.equal((await cp.request('/v1/rules')).body.version, rule.version);
    assert.equal((await cp.request(`/v1/rules/${rule.id}`)).body.lift, undefined);
    assert.equal(guard.decide(call).outcome, 'deny');
    const pending = await cp.request('/v1/restore-requests');
    assert.deepEqual(
      pending.body.requests.map((request: any) => request.id),
      [lifted.body.request.id],
    );
    const audit = (await cp.request('/v1/audit')).body.entries.filter((entry: any) => entry.ruleId === rule.id);
    assert.deepEqual(
      audit.map((entry: any) => entry.action),
      ['rule-created', 'restore-requested'],
    );
  });

  it('the admin who asked cannot confirm; another admin can, and it is lifted and audited', async () => {
    const rule = await stop({}, 'read_only');
    const requested = await cp.request(`/v1/rules/${rule.id}/lift`, { body: { reason: 'all clear' } });
    assert.equal(requested.status, 202);
    const id = requested.body.request.id;
    const same = await cp.request(`/v1/restore-requests/${id}/confirm`, { body: { reason: 'me again' } });
    assert.equal(same.status, 403);
    assert.equal(same.type, 'application/problem+json');
    assert.match(same.body.detail, /second admin/);
    assert.equal((await cp.request(`/v1/rules/${rule.id}`)).body.lift, undefined);

    const confirmed = await cp.request(`/v1/restore-requests/${id}/confirm`, {
      token: secondAdmin,
      body: { reason: 'checked the fix' },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.version, rule.version + 1);
    assert.equal(confirmed.body.lift.actor.id, 'second-admin');
    assert.ok((await cp.request(`/v1/rules/${rule.id}`)).body.lift);
    const audit = (await cp.request('/v1/audit')).body.entries.filter((entry: any) => entry.ruleId === rule.id);
    assert.deepEqual(
      audit.map((entry: any) => [entry.action, entry.actor.id]),
      [
        ['rule-created', 'admin (ESTOP_ADMIN_TOKEN)'],
        ['restore-requested', 'admin (ESTOP_ADMIN_TOKEN)'],
        ['restore-confirmed', 'second-admin'],
        ['rule-lifted', 'second-admin'],
      ],
    );
    const again = await cp.request(`/v1/restore-requests/${id}/confirm`, {
      token: secondAdmin,
      body: { reason: 'twice' },
    });
    assert.equal(again.status, 404);
    assert.equal((await cp.request('/v1/audit/verify')).body.ok, true);
  });

  it('a request is voided when its rule is lifted some other way', async () => {
    const rule = await stop({ tenant: 'voided' }, 'full_stop');
    const requested = await cp.request(`/v1/rules/${rule.id}/lift`, { body: { reason: 'first' } });
    const other = await cp.request(`/v1/rules/${rule.id}/lift`, { token: secondAdmin, body: { reason: 'second' } });
    const confirmed = await cp.request(`/v1/restore-requests/${other.body.request.id}/confirm`, {
      body: { reason: 'go' },
    });
    assert.equal(confirmed.status, 200);
    const stale = await cp.request(`/v1/restore-requests/${requested.body.request.id}/confirm`, {
      token: secondAdmin,
      body: { reason: 'late' },
    });
    assert.equal(stale.status, 404);
    const pending = (await cp.request('/v1/restore-requests')).body.requests;
    assert.equal(
      pending.some((request: any) => request.ruleId === rule.id),
      false,
    );
  });

  it('a request is voided when its rule expires', async () => {
    const created = await cp.request('/v1/rules', {
      body: { scope: { tenant: 'expiring' }, mode: 'full_stop', reason: 'brief', expiresIn: '300ms' },
    });
    const requested = await cp.request(`/v1/rules/${created.body.rule.id}/lift`, { body: { reason: 'early' } });
    assert.equal(requested.status, 202);
    await eventually(async () => (await cp.request(`/v1/rules/${created.body.rule.id}`)).body.lift?.expired === true);
    const pending = (await cp.request('/v1/restore-requests')).body.requests;
    assert.equal(
      pending.some((request: any) => request.id === requested.body.request.id),
      false,
    );
    const stale = await cp.request(`/v1/restore-requests/${requested.body.request.id}/confirm`, {
      token: secondAdmin,
      body: { reason: 'late' },
    });
    assert.equal(stale.status, 404);
  });

  it('a tenant-bound admin sees and confirms only its tenant’s requests', async () => {
    const tenantAdmin = await cp.token('admin', 'bound', 'bound-admin');
    const own = await stop({ tenant: 'bound' }, 'full_stop');
    const foreign = await stop({ tenant: 'foreign' }, 'full_stop');
    const ownRequest = (await cp.request(`/v1/rules/${own.id}/lift`, { body: { reason: 'ok' } })).body.request;
    const foreignRequest = (await cp.request(`/v1/rules/${foreign.id}/lift`, { body: { reason: 'ok' } })).body.request;
    const seen = (await cp.request('/v1/restore-requests', { token: tenantAdmin })).body.requests;
    assert.deepEqual(
      seen.map((request: any) => request.id),
      [ownRequest.id],
    );
    const refused = await cp.request(`/v1/restore-requests/${foreignRequest.id}/confirm`, {
      token: tenantAdmin,
      body: { reason: 'not mine' },
    });
    assert.equal(refused.status, 404);
    const viewer = await cp.request('/v1/restore-requests', { token: await cp.token('operator') });
    assert.equal(viewer.status, 403);
  });
});

describe('rules outside the governed classes lift at once', () => {
  it('a tenant read_only rule is lifted by one admin', async () => {
    const rule = await stop({ tenant: 'ungoverned' }, 'read_only');
    const lifted = await cp.request(`/v1/rules/${rule.id}/lift`, { body: { reason: 'fine' } });
    assert.equal(lifted.status, 200);
    assert.equal(lifted.body.version, rule.version + 1);
    assert.equal(lifted.body.lift.ruleId, rule.id);
  });
});

describe('a staged restore replaces a rule in one version, never leaving the scope unprotected', () => {
  it('full_stop → read_only: one version, both changes, and the guard never allows', async () => {
    const call = { tenant: 'staged', tool: 'email.send', effect: 'write' as const };
    const rule = await stop({ tenant: 'staged' }, 'full_stop');
    const outcomes: string[] = [];
    const versions: number[] = [];
    const unsubscribe = guard.onChange((change) => {
      versions.push(change.version);
      outcomes.push(guard.decide(call).outcome);
    });
    try {
      const requested = await cp.request(`/v1/rules/${rule.id}/lift`, {
        body: { reason: 'step down', to: 'read_only' },
      });
      assert.equal(requested.status, 202);
      assert.equal(requested.body.request.to, 'read_only');
      const confirmed = await cp.request(`/v1/restore-requests/${requested.body.request.id}/confirm`, {
        token: secondAdmin,
        body: { reason: 'writes can wait' },
      });
      assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
      assert.equal(confirmed.body.version, rule.version + 1);
      assert.equal(confirmed.body.replacement.mode, 'read_only');
      assert.deepEqual(confirmed.body.replacement.scope, { tenant: 'staged' });
      assert.equal(confirmed.body.replacement.cancelInFlight, false);
      await eventually(() => guard.version >= confirmed.body.version);
      assert.deepEqual(versions, [confirmed.body.version]);
      assert.deepEqual(outcomes, ['deny']);
      assert.equal(guard.decide(call).ruleId, confirmed.body.replacement.id);

      const changes = await cp.store.rules.changesSince(rule.version);
      assert.deepEqual(
        changes.map((event) => event.changes.map((change) => change.type)),
        [['rule-created', 'rule-lifted']],
      );
      // read_only is not governed by default: the next step down lifts at once.
      const lifted = await cp.request(`/v1/rules/${confirmed.body.replacement.id}/lift`, { body: { reason: 'done' } });
      assert.equal(lifted.status, 200);
    } finally {
      unsubscribe();
    }
  });

  it('`to` must be strictly less restrictive than the rule’s mode', async () => {
    const rule = await stop({ tenant: 'staged-bad' }, 'read_only');
    for (const to of ['read_only', 'full_stop']) {
      const refused = await cp.request(`/v1/rules/${rule.id}/lift`, { body: { reason: 'no', to } });
      assert.equal(refused.status, 400);
      assert.equal(refused.type, 'application/problem+json');
    }
    const staged = await cp.request(`/v1/rules/${rule.id}/lift`, { body: { reason: 'yes', to: 'draft_only' } });
    assert.equal(staged.status, 200);
    assert.equal(staged.body.version, rule.version + 1);
    assert.equal(staged.body.replacement.mode, 'draft_only');
  });
});

describe('a rule cannot be lifted within the restore cooldown', () => {
  it('409 names when the lift becomes possible', async () => {
    const cooled = await startTestControlPlane({ restore: { secondApprover: [], cooldownMs: 60_000 } });
    try {
      const created = await cooled.request('/v1/rules', {
        body: { scope: { tenant: 'cool' }, mode: 'read_only', reason: 'r' },
      });
      const refused = await cooled.request(`/v1/rules/${created.body.rule.id}/lift`, { body: { reason: 'too soon' } });
      assert.equal(refused.status, 409);
      assert.equal(refused.type, 'application/problem+json');
      const liftableAt = new Date(Date.parse(created.body.rule.createdAt) + 60_000).toISOString();
      assert.equal(refused.body.liftableAt, liftableAt);
      assert.match(refused.body.detail, new RegExp(liftableAt));
      assert.equal((await cooled.request(`/v1/rules/${created.body.rule.id}`)).body.lift, undefined);
    } finally {
      await cooled.close();
    }
  });
});

/** A global full_stop's restore request, made on one control plane and confirmed on the next. */
async function requestSurvivesRestart(createStore: () => Store): Promise<void> {
  const first = await startTestControlPlane({ store: createStore() });
  const created = await first.request('/v1/rules', { body: { scope: {}, mode: 'full_stop', reason: 'global' } });
  const requested = await first.request(`/v1/rules/${created.body.rule.id}/lift`, { body: { reason: 'ok' } });
  assert.equal(requested.status, 202);
  await first.close();
  const second = await startTestControlPlane({ store: createStore() });
  try {
    const pending = await second.request('/v1/restore-requests');
    assert.deepEqual(
      pending.body.requests.map((request: any) => request.id),
      [requested.body.request.id],
    );
    assert.equal((await second.request('/v1/rules')).body.rules.length, 1);
    const confirmed = await second.request(`/v1/restore-requests/${requested.body.request.id}/confirm`, {
      token: await second.token('admin', undefined, 'after-restart'),
      body: { reason: 'checked' },
    });
    assert.equal(confirmed.status, 200);
    assert.equal((await second.request('/v1/rules')).body.rules.length, 0);
    assert.equal((await second.request('/v1/restore-requests')).body.requests.length, 0);
  } finally {
    await second.close();
  }
}

describe('a restore request is durable: it survives a restart and is confirmed afterwards', () => {
  it('on SQLite', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'estop-restore-')), 'estop.db');
    await requestSurvivesRestart(() => createSqliteStore({ file, sha256: sha256Hex }));
  });

  const postgres = postgresSchema('estop_restore');
  after(() => postgres.drop());

  it('on PostgreSQL', async (context) => {
    if (!(await postgres.ready(context))) return;
    const { schema } = postgres;
    await requestSurvivesRestart(() => createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema }));
  });
});
