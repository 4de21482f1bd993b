import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestControlPlane, type TestControlPlane } from './harness.js';

let cp: TestControlPlane;
before(async () => {
  cp = await startTestControlPlane({ keepAliveMs: 60_000, expiryCheckMs: 20, restore: { requestTtlMs: 100 } });
});
after(() => cp.close());

/** Follows `GET /v1/events` until every topic in `wanted` has been named, then stops. */
async function topicsNamed(wanted: readonly string[], act: () => Promise<void>): Promise<Set<string>> {
  const controller = new AbortController();
  const response = await fetch(`${cp.url}/v1/events`, {
    headers: { authorization: `Bearer ${await cp.token('viewer')}` },
    signal: controller.signal,
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const seen = new Set<string>();
  let text = '';
  await act();
  while (!wanted.every((topic) => seen.has(topic))) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    for (const match of text.matchAll(/^event: (.+)$/gm)) seen.add(match[1] as string);
  }
  controller.abort();
  return seen;
}

describe('operator views hear of approvals, drafts, runs, enforcers and restore requests', () => {
  it('names each topic once something of it changed', async () => {
    const wanted = ['approvals', 'drafts', 'runs', 'enforcers', 'restore-requests', 'audit', 'rules'];
    const seen = await topicsNamed(wanted, async () => {
      const enforcer = await cp.token('enforcer');
      const call = { tenant: 'acme', tool: 'email.send', args: {} };
      assert.equal((await cp.request('/v1/approvals', { token: enforcer, body: call })).status, 201);
      assert.equal((await cp.request('/v1/drafts', { token: enforcer, body: call })).status, 201);
      const run = {
        id: 'run-events',
        tenant: 'acme',
        enforcer: 'w',
        heartbeatMs: 5000,
        startedAt: new Date().toISOString(),
      };
      assert.equal((await cp.request('/v1/runs', { token: enforcer, body: run })).status, 201);
      const registration = { id: 'enforcer-events', name: 'w', kind: 'sdk' };
      assert.equal((await cp.request('/v1/enforcers', { token: enforcer, body: registration })).status, 201);
      const rule = await cp.request('/v1/rules', { body: { scope: {}, mode: 'full_stop', reason: 'events' } });
      assert.equal((await cp.request(`/v1/rules/${rule.body.rule.id}/lift`, { body: { reason: 'x' } })).status, 202);
    });
    assert.deepEqual(
      wanted.filter((topic) => !seen.has(topic)),
      [],
    );
  });
});
