import assert from 'node:assert/strict';
import { eventually, type TestControlPlane } from './harness.js';

/**
 * Approval and idempotency behaviours through HTTP, each run by the memory-store tests and end
 * to end on SQLite and PostgreSQL. `first` and `second` are two control planes on one store
 * (two replicas), so a decision or a claim made on one is seen by the other.
 */
export interface Replicas {
  first: TestControlPlane;
  second: TestControlPlane;
}

let counter = 0;
/** A name no other case uses, so cases can share one store. */
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter += 1)}`;

/** Asks for an approval of `email.send` in `tenant` with the given token; returns the view. */
export async function requestApproval(
  cp: TestControlPlane,
  token: string,
  call: { tenant: string; tool?: string; args?: unknown; agent?: string; timeoutMs?: number },
): Promise<any> {
  const body = { tool: 'email.send', args: { to: 'a@example.com' }, ...call };
  const requested = await cp.request('/v1/approvals', { token, body });
  assert.equal(requested.status, 201, JSON.stringify(requested.body));
  assert.equal(requested.body.status, 'pending');
  return requested.body;
}

/** The audit entries about one approval, as [action, actor kind] in chain order. */
export async function approvalAudit(cp: TestControlPlane, approvalId: string): Promise<[string, string][]> {
  const { entries } = (await cp.request('/v1/audit?limit=10000')).body;
  return entries
    .filter((entry: any) => entry.data?.approvalId === approvalId)
    .map((entry: any) => [entry.action, entry.actor.kind]);
}

/**
 * A long poll on one replica is answered as soon as an operator approves, on the same replica
 * or on the other; the approved call is used once, with its exact hash only.
 */
export async function approvalApprovedAndUsedOnce({ first, second }: Replicas): Promise<void> {
  const tenant = unique('acme');
  const enforcer = await first.token('enforcer', tenant);
  const operator = await first.token('operator', tenant);
  for (const decidingReplica of [first, second]) {
    const approval = await requestApproval(first, enforcer, { tenant });
    const waiting = first.request(`/v1/approvals/${approval.id}?wait=60000`, { token: enforcer });
    const approved = await decidingReplica.request(`/v1/approvals/${approval.id}/approve`, {
      token: operator,
      body: { reason: 'the customer asked for it' },
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const woken = await waiting;
    assert.equal(woken.body.status, 'approved');
    assert.equal(woken.body.decision.reason, 'the customer asked for it');

    const other = await second.request(`/v1/approvals/${approval.id}/consume`, {
      token: enforcer,
      body: { hash: 'f'.repeat(64) },
    });
    assert.equal(other.status, 409);
    assert.match(other.body.detail, /hash/);
    const used = await second.request(`/v1/approvals/${approval.id}/consume`, {
      token: enforcer,
      body: { hash: approval.hash },
    });
    assert.equal(used.status, 200, JSON.stringify(used.body));
    assert.equal(used.body.status, 'used');
    const again = await first.request(`/v1/approvals/${approval.id}/consume`, {
      token: enforcer,
      body: { hash: approval.hash },
    });
    assert.equal(again.status, 409);
    assert.equal(again.type, 'application/problem+json');
    assert.deepEqual(await approvalAudit(first, approval.id), [
      ['approval-requested', 'agent'],
      ['approval-approved', 'human'],
    ]);
  }
}

/** A denial answers the waiting enforcer; the request cannot then be approved or used. */
export async function approvalDenied({ first, second }: Replicas): Promise<void> {
  const tenant = unique('acme');
  const enforcer = await first.token('enforcer', tenant);
  const approval = await requestApproval(first, enforcer, { tenant });
  const waiting = second.request(`/v1/approvals/${approval.id}?wait=60000`, { token: enforcer });
  const denied = await first.request(`/v1/approvals/${approval.id}/deny`, { body: { reason: 'not today' } });
  assert.equal(denied.status, 200);
  assert.equal((await waiting).body.status, 'denied');
  const late = await second.request(`/v1/approvals/${approval.id}/approve`, { body: { reason: 'changed my mind' } });
  assert.equal(late.status, 409);
  assert.match(late.body.detail, /no longer pending: it is denied/);
  const used = await first.request(`/v1/approvals/${approval.id}/consume`, {
    token: enforcer,
    body: { hash: approval.hash },
  });
  assert.equal(used.status, 409);
  assert.deepEqual(await approvalAudit(second, approval.id), [
    ['approval-requested', 'agent'],
    ['approval-denied', 'human'],
  ]);
}

/**
 * A newer read_only rule covering the call voids a pending approval (audited, system actor)
 * and takes an approved-but-unused one's authority away at execution time. A rule on another
 * tenant changes neither.
 */
export async function approvalVoidedByNewerRule({ first, second }: Replicas): Promise<void> {
  const tenant = unique('acme');
  const enforcer = await first.token('enforcer');
  const pending = await requestApproval(first, enforcer, { tenant });
  const approved = await requestApproval(first, enforcer, { tenant });
  const elsewhere = await requestApproval(first, enforcer, { tenant: unique('globex') });
  assert.equal((await first.request(`/v1/approvals/${approved.id}/approve`, { body: { reason: 'fine' } })).status, 200);
  const rule = await second.request('/v1/rules', {
    body: { scope: { tenant, tool: 'email.*' }, mode: 'read_only', reason: 'duplicate emails' },
  });
  assert.equal(rule.status, 201);
  const voidedView = (id: string) =>
    eventually(async () => {
      const view = (await first.request(`/v1/approvals/${id}`)).body;
      return view.status === 'voided' ? view : undefined;
    });
  const voided = await voidedView(pending.id);
  assert.match(voided.decision.reason, new RegExp(rule.body.rule.id));
  assert.equal(voided.decision.actor.kind, 'system');
  // The approved call had not run: the rule takes its approval away too.
  assert.match(
    (await voidedView(approved.id)).decision.reason,
    new RegExp(`rule ${rule.body.rule.id} \\(read_only\\)`),
  );
  const refused = await first.request(`/v1/approvals/${approved.id}/consume`, {
    token: enforcer,
    body: { hash: approved.hash },
  });
  assert.equal(refused.status, 409);
  assert.match(refused.body.detail, /it is voided/);
  assert.equal((await first.request(`/v1/approvals/${elsewhere.id}`)).body.status, 'pending');
  assert.deepEqual(await approvalAudit(first, pending.id), [
    ['approval-requested', 'agent'],
    ['approval-voided', 'system'],
  ]);
  assert.deepEqual(await approvalAudit(first, approved.id), [
    ['approval-requested', 'agent'],
    ['approval-approved', 'human'],
    ['approval-voided', 'system'],
  ]);
}

/**
 * Idempotency across replicas: the first claim runs the call, a duplicate on the other replica
 * waits for its result or is told it is pending, a release lets a retry run, keys are per
 * tenant, and suppressed duplicates are audited per (tenant, tool, enforcer).
 */
export async function idempotencyAcrossReplicas({ first, second }: Replicas): Promise<void> {
  const tenant = unique('acme');
  const enforcer = await first.token('enforcer', tenant, unique('worker-token'));
  const claim = (cp: TestControlPlane, body: Record<string, unknown>) =>
    cp.request('/v1/idempotency/claim', {
      token: enforcer,
      body: { tenant, tool: 'email.send', windowMs: 60_000, enforcer: 'worker-1', ...body },
    });
  const key = unique('order');

  const claimed = await claim(first, { key });
  assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
  assert.equal(claimed.body.status, 'claimed');
  assert.deepEqual((await claim(second, { key })).body, { status: 'pending', key });
  // A duplicate that waits gets the first call's result once it completes on the other replica.
  const waiting = claim(second, { key, waitMs: 60_000 });
  const completed = await first.request('/v1/idempotency/complete', {
    token: enforcer,
    body: { tenant, tool: 'email.send', key, claimId: claimed.body.claimId, result: { messageId: 'm-1' } },
  });
  assert.equal(completed.status, 204);
  assert.deepEqual((await waiting).body, { status: 'done', key, result: { messageId: 'm-1' } });
  assert.deepEqual((await claim(first, { key })).body, { status: 'done', key, result: { messageId: 'm-1' } });
  const stale = await second.request('/v1/idempotency/complete', {
    token: enforcer,
    body: { tenant, tool: 'email.send', key, claimId: 'not-the-claim', result: null },
  });
  assert.equal(stale.status, 409);

  // Another tenant's same key is another key.
  const otherTenant = unique('globex');
  const other = await second.request('/v1/idempotency/claim', {
    body: { tenant: otherTenant, tool: 'email.send', key, windowMs: 60_000 },
  });
  assert.equal(other.body.status, 'claimed');

  // Without a key, the key is derived from tenant, tool and arguments; a release lets a retry run.
  const derived = await claim(first, { args: { to: 'b@example.com' } });
  assert.equal(derived.body.status, 'claimed');
  assert.match(derived.body.key, /^[0-9a-f]{64}$/);
  assert.equal((await claim(second, { args: { to: 'b@example.com' } })).body.status, 'pending');
  assert.equal((await claim(second, { args: { to: 'c@example.com' } })).body.status, 'claimed');
  const released = await second.request('/v1/idempotency/release', {
    token: enforcer,
    body: { tenant, tool: 'email.send', key: derived.body.key, claimId: derived.body.claimId },
  });
  assert.equal(released.status, 204);
  assert.equal((await claim(second, { args: { to: 'b@example.com' } })).body.status, 'claimed');

  await first.plane.flushAudit();
  await second.plane.flushAudit();
  const { entries } = (await first.request('/v1/audit?limit=10000')).body;
  const counted = entries
    .filter((entry: any) => entry.action === 'duplicates-suppressed' && entry.scope?.tenant === tenant)
    .map((entry: any) => [entry.actor.kind, entry.data.enforcer, entry.data.tool, entry.data.count]);
  // first: one done; second: one pending, one done after waiting, one pending (derived key).
  assert.deepEqual(
    counted.sort((a: any[], b: any[]) => a[3] - b[3]),
    [
      ['agent', 'worker-1', 'email.send', 1],
      ['agent', 'worker-1', 'email.send', 3],
    ],
  );
}

/** The audit chain, with every entry the cases appended, still verifies. */
export async function auditChainVerifies(cp: TestControlPlane): Promise<void> {
  const verified = await cp.request('/v1/audit/verify');
  assert.equal(verified.body.ok, true, JSON.stringify(verified.body));
}
