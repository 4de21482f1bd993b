import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, startTestControlPlane } from './harness.js';

/** The audit entries about one restore request, as [action, actor kind]. */
async function requestAudit(
  cp: Awaited<ReturnType<typeof startTestControlPlane>>,
  requestId: string,
): Promise<[string, string][]> {
  const { entries } = (await cp.request('/v1/audit?limit=10000')).body;
  return entries
    .filter((entry: any) => entry.data?.requestId === requestId)
    .map((entry: any) => [entry.action, entry.actor.kind]);
}

describe('a restore request does not wait forever', () => {
  it('expires after restore.request_ttl, audited restore-expired; the rule stays', async () => {
    const cp = await startTestControlPlane({ expiryCheckMs: 20, restore: { requestTtlMs: 200 } });
    try {
      const rule = await cp.request('/v1/rules', { body: { scope: {}, mode: 'full_stop', reason: 'incident' } });
      const lift = await cp.request(`/v1/rules/${rule.body.rule.id}/lift`, { body: { reason: 'fixed' } });
      assert.equal(lift.status, 202);
      const id = lift.body.request.id as string;
      await eventually(async () => (await cp.request('/v1/restore-requests')).body.requests.length === 0);
      const confirm = await cp.request(`/v1/restore-requests/${id}/confirm`, {
        token: await cp.token('admin', undefined, 'second-admin'),
        body: { reason: 'late' },
      });
      assert.equal(confirm.status, 404);
      assert.equal((await cp.request(`/v1/rules/${rule.body.rule.id}`)).body.lift, undefined);
      assert.deepEqual(await requestAudit(cp, id), [
        ['restore-requested', 'human'],
        ['restore-expired', 'system'],
      ]);
    } finally {
      await cp.close();
    }
  });

  it('is voided, audited restore-voided, when its rule expires first', async () => {
    const cp = await startTestControlPlane({ expiryCheckMs: 20 });
    try {
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      const rule = await cp.request('/v1/rules', {
        body: { scope: {}, mode: 'full_stop', reason: 'incident', expiresAt },
      });
      const lift = await cp.request(`/v1/rules/${rule.body.rule.id}/lift`, { body: { reason: 'fixed' } });
      assert.equal(lift.status, 202);
      const id = lift.body.request.id as string;
      await eventually(async () => (await requestAudit(cp, id)).length === 2);
      assert.deepEqual(await requestAudit(cp, id), [
        ['restore-requested', 'human'],
        ['restore-voided', 'system'],
      ]);
      assert.equal((await cp.request('/v1/audit/verify')).body.ok, true);
    } finally {
      await cp.close();
    }
  });
});
