import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore } from '@estop/core';
import { sha256Hex } from '../src/tokens/token-secret.js';
import {
  approvalApprovedAndUsedOnce,
  approvalAudit,
  approvalDenied,
  approvalVoidedByNewerRule,
  auditChainVerifies,
  requestApproval,
  unique,
  type Replicas,
} from './governance-cases.js';
import { startTestControlPlane } from './harness.js';

let replicas: Replicas;
before(async () => {
  const store = createMemoryStore({ sha256: sha256Hex });
  replicas = {
    first: await startTestControlPlane({ store, replicaPollMs: 50 }),
    second: await startTestControlPlane({ store, replicaPollMs: 50 }),
  };
});
after(async () => {
  await replicas.second.plane.close();
  await replicas.first.close();
});

describe('an approval is decided by an operator and used once, for the exact call only', () => {
  it('a long poll is woken by an approval on either replica; one use, with the right hash', () =>
    approvalApprovedAndUsedOnce(replicas));
  it('a denial answers the waiting enforcer, and nothing can be approved or used after it', () =>
    approvalDenied(replicas));
  it('a newer read_only rule voids pending approvals and refuses approved ones at execution time', () =>
    approvalVoidedByNewerRule(replicas));

  it('the server computes the hash, defaults the timeout to five minutes and lists pending ones oldest first', async () => {
    const { first } = replicas;
    const tenant = unique('listing');
    const enforcer = await first.token('enforcer', tenant);
    const older = await requestApproval(first, enforcer, { tenant, args: { n: 1 } });
    const newer = await requestApproval(first, enforcer, { tenant, args: { n: 2 } });
    assert.notEqual(older.hash, newer.hash);
    assert.equal(Date.parse(older.expiresAt) - Date.parse(older.at), 5 * 60_000);
    assert.deepEqual(older.requestedBy, { id: older.requestedBy.id, kind: 'agent' });
    const viewer = await first.token('viewer', tenant);
    const listed = await first.request('/v1/approvals?status=pending', { token: viewer });
    assert.deepEqual(
      listed.body.approvals.map((approval: any) => approval.id),
      [older.id, newer.id],
    );
    const held = await first.request(`/v1/approvals/${older.id}?wait=0`, { token: viewer });
    assert.equal(held.body.status, 'pending');
  });
});

describe('an undecided approval expires: a denial by the system', () => {
  it('a long poll gets expired at the deadline, audited with a system actor', async () => {
    const cp = await startTestControlPlane({ expiryCheckMs: 20 });
    try {
      const enforcer = await cp.token('enforcer');
      const approval = await requestApproval(cp, enforcer, { tenant: 'acme', timeoutMs: 1000 });
      const answer = await cp.request(`/v1/approvals/${approval.id}?wait=30000`, { token: enforcer });
      assert.equal(answer.body.status, 'expired');
      assert.equal(answer.body.decision.actor.kind, 'system');
      const late = await cp.request(`/v1/approvals/${approval.id}/approve`, { body: { reason: 'too late' } });
      assert.equal(late.status, 409);
      assert.deepEqual(await approvalAudit(cp, approval.id), [
        ['approval-requested', 'agent'],
        ['approval-expired', 'system'],
      ]);
      await auditChainVerifies(cp);
    } finally {
      await cp.close();
    }
  });
});

describe("a tenant's token sees and decides only its tenant's approvals", () => {
  it('other tenants get an empty list, 404 by id, 403 when asking for another tenant', async () => {
    const { first } = replicas;
    const tenant = unique('acme');
    const approval = await requestApproval(first, await first.token('enforcer', tenant), { tenant });
    const outsider = unique('globex');
    const viewer = await first.token('viewer', outsider);
    const operator = await first.token('operator', outsider);
    const enforcer = await first.token('enforcer', outsider);
    const listed = (await first.request('/v1/approvals', { token: viewer })).body.approvals;
    assert.deepEqual(listed, []);
    assert.equal((await first.request(`/v1/approvals/${approval.id}`, { token: viewer })).status, 404);
    const approve = await first.request(`/v1/approvals/${approval.id}/approve`, {
      token: operator,
      body: { reason: 'not mine' },
    });
    assert.equal(approve.status, 404);
    const consume = await first.request(`/v1/approvals/${approval.id}/consume`, {
      token: enforcer,
      body: { hash: approval.hash },
    });
    assert.equal(consume.status, 404);
    const request = await first.request('/v1/approvals', { token: enforcer, body: { tenant, tool: 'x', args: {} } });
    assert.equal(request.status, 403);
    assert.equal((await first.request(`/v1/approvals/${approval.id}`)).body.status, 'pending');
  });
});

describe('drafts are recorded, audited and listed newest first', () => {
  it('pages with before and limit, filters by tenant, and keeps tenants apart', async () => {
    const { first } = replicas;
    const tenant = unique('drafting');
    const enforcer = await first.token('enforcer', tenant);
    // A draft names the rule that drafted it: one of its tenant's (or a global one).
    const rule = await first.request('/v1/rules', {
      body: { scope: { tenant }, mode: 'draft_only', reason: 'drafts' },
    });
    const ruleId = rule.body.rule.id as string;
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      const created = await first.request('/v1/drafts', {
        token: enforcer,
        body: { tenant, tool: 'email.send', args: { n }, ruleId, enforcer: 'worker-1' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.match(created.body.id, /^draft_/);
      assert.deepEqual(created.body.actor.kind, 'agent');
      ids.push(created.body.id);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const listed = await first.request(`/v1/drafts?tenant=${tenant}`);
    assert.deepEqual(
      listed.body.drafts.map((draft: any) => draft.id),
      [...ids].reverse(),
    );
    const page = await first.request(`/v1/drafts?tenant=${tenant}&limit=1&before=${listed.body.drafts[0].at}`);
    assert.deepEqual(
      page.body.drafts.map((draft: any) => draft.id),
      [ids[1]],
    );
    const outsider = await first.token('viewer', unique('globex'));
    assert.deepEqual((await first.request(`/v1/drafts?tenant=${tenant}`, { token: outsider })).body.drafts, []);
    assert.deepEqual((await first.request('/v1/drafts', { token: outsider })).body.drafts, []);
    const refused = await first.request('/v1/drafts', {
      token: await first.token('enforcer', 'globex'),
      body: { tenant, tool: 'email.send', args: {} },
    });
    assert.equal(refused.status, 403);
    const { entries } = (await first.request('/v1/audit?limit=10000')).body;
    const recorded = entries.filter(
      (entry: any) => entry.action === 'draft-recorded' && entry.scope?.tenant === tenant,
    );
    assert.deepEqual(
      recorded.map((entry: any) => [entry.data.draftId, entry.actor.kind]),
      ids.map((id) => [id, 'agent']),
    );
  });
});

describe('blocked calls reported by an enforcer are audited per (rule, tool, enforcer)', () => {
  it('only the registering token reports; counts are merged per interval with their span', async () => {
    const { first } = replicas;
    const tenant = unique('blocking');
    const token = await first.token('enforcer', tenant, unique('gateway-token'));
    const id = unique('gateway');
    assert.equal(
      (await first.request('/v1/enforcers', { token, body: { id, name: id, kind: 'gateway' } })).status,
      201,
    );
    // Counts name a rule of the reporting token's tenant (a rule it cannot see is refused, 403).
    const rule = await first.request('/v1/rules', { body: { scope: { tenant }, mode: 'read_only', reason: 'blocks' } });
    const ruleA = rule.body.rule.id as string;
    const report = (from: string, to: string, count: number) => ({
      from,
      to,
      counts: [
        { tool: 'email.send', tenant, ruleId: ruleA, mode: 'read_only', source: 'rule', effect: 'write', count },
        { tool: 'crm.update', tenant, ruleId: ruleA, mode: 'read_only', source: 'rule', count: 1 },
      ],
    });
    const path = `/v1/enforcers/${id}/blocks`;
    const sent = await first.request(path, {
      token,
      body: report('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:10.000Z', 4),
    });
    assert.equal(sent.status, 202);
    await first.request(path, { token, body: report('2026-01-01T00:00:10.000Z', '2026-01-01T00:00:20.000Z', 3) });
    const stranger = await first.request(path, {
      token: await first.token('enforcer', tenant),
      body: report('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:10.000Z', 1),
    });
    assert.equal(stranger.status, 404);
    const otherTenant = await first.request(path, {
      token,
      body: {
        ...report('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:10.000Z', 1),
        counts: [{ tool: 'x', tenant: 'globex', count: 1 }],
      },
    });
    assert.equal(otherTenant.status, 403);
    await first.plane.flushAudit();
    const { entries } = (await first.request('/v1/audit?limit=10000')).body;
    const blocked = entries
      .filter((entry: any) => entry.action === 'calls-blocked' && entry.scope?.tenant === tenant)
      .map((entry: any) => ({ ruleId: entry.ruleId, kind: entry.actor.kind, ...entry.data }));
    assert.deepEqual(
      blocked.sort((a: any, b: any) => a.tool.localeCompare(b.tool)),
      [
        {
          ruleId: ruleA,
          kind: 'agent',
          enforcer: id,
          tool: 'crm.update',
          count: 2,
          from: '2026-01-01T00:00:00.000Z',
          to: '2026-01-01T00:00:20.000Z',
          mode: 'read_only',
          source: 'rule',
        },
        {
          ruleId: ruleA,
          kind: 'agent',
          enforcer: id,
          tool: 'email.send',
          count: 7,
          from: '2026-01-01T00:00:00.000Z',
          to: '2026-01-01T00:00:20.000Z',
          mode: 'read_only',
          source: 'rule',
        },
      ],
    );
    await auditChainVerifies(first);
  });
});

describe("a tenant's viewer sees only the enforcers its tenant's tokens registered", () => {
  it('an unbound viewer sees both', async () => {
    const { first } = replicas;
    const tenant = unique('fleet');
    const mine = unique('mine');
    const theirs = unique('theirs');
    await first.request('/v1/enforcers', {
      token: await first.token('enforcer', tenant),
      body: { id: mine, name: mine, kind: 'sdk' },
    });
    await first.request('/v1/enforcers', { body: { id: theirs, name: theirs, kind: 'sdk' } });
    const ids = async (token?: string) =>
      (await first.request('/v1/enforcers', { token })).body.enforcers.map((record: any) => record.id);
    assert.deepEqual(await ids(await first.token('viewer', tenant)), [mine]);
    const all = await ids();
    assert.ok(all.includes(mine) && all.includes(theirs));
  });
});
