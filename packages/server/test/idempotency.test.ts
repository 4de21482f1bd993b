import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore } from '@estop/core';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { auditChainVerifies, idempotencyAcrossReplicas, type Replicas } from './governance-cases.js';
import { startTestControlPlane } from './harness.js';

let replicas: Replicas;
before(async () => {
  const store = createMemoryStore({ sha256: sha256Hex });
  replicas = { first: await startTestControlPlane({ store }), second: await startTestControlPlane({ store }) };
});
after(async () => {
  await replicas.second.plane.close();
  await replicas.first.close();
});

describe('a duplicate write is not run twice: idempotency keys shared by every replica', () => {
  it('claimed, pending, done after waiting, released, per tenant, duplicates audited', async () => {
    await idempotencyAcrossReplicas(replicas);
    await auditChainVerifies(replicas.first);
  });

  it("a tenant's enforcer claims, completes and releases only its tenant's keys", async () => {
    const { first } = replicas;
    const token = await first.token('enforcer', 'acme');
    const claim = await first.request('/v1/idempotency/claim', {
      token,
      body: { tenant: 'globex', tool: 'email.send', key: 'k', windowMs: 1000 },
    });
    assert.equal(claim.status, 403);
    for (const path of ['/v1/idempotency/complete', '/v1/idempotency/release']) {
      const answer = await first.request(path, {
        token,
        body: { tenant: 'globex', tool: 'email.send', key: 'k', claimId: 'c' },
      });
      assert.equal(answer.status, 403, path);
    }
  });

  it("a key reused for another tool runs that tool: never answered with another tool's result", async () => {
    const { first, second } = replicas;
    const token = await first.token('enforcer', 'acme');
    const claim = (tool: string) =>
      second.request('/v1/idempotency/claim', {
        token,
        body: { tenant: 'acme', tool, key: 'reused-key', windowMs: 60_000 },
      });
    const send = await claim('tools.send');
    assert.equal(send.body.status, 'claimed');
    const completed = await first.request('/v1/idempotency/complete', {
      token,
      body: { tenant: 'acme', tool: 'tools.send', key: 'reused-key', claimId: send.body.claimId, result: { sent: 1 } },
    });
    assert.equal(completed.status, 204, JSON.stringify(completed.body));
    const remove = await claim('tools.remove');
    assert.equal(remove.body.status, 'claimed', JSON.stringify(remove.body));
    // Completing or releasing names the tool the key was claimed for; naming another finds no claim.
    const crossed = await first.request('/v1/idempotency/release', {
      token,
      body: { tenant: 'acme', tool: 'tools.send', key: 'reused-key', claimId: remove.body.claimId },
    });
    assert.equal(crossed.status, 409, JSON.stringify(crossed.body));
    const released = await first.request('/v1/idempotency/release', {
      token,
      body: { tenant: 'acme', tool: 'tools.remove', key: 'reused-key', claimId: remove.body.claimId },
    });
    assert.equal(released.status, 204, JSON.stringify(released.body));
    assert.deepEqual((await claim('tools.send')).body, { status: 'done', key: 'reused-key', result: { sent: 1 } });
  });

  it('completing or releasing a key needs the tool it was claimed for', async () => {
    const { first } = replicas;
    for (const path of ['/v1/idempotency/complete', '/v1/idempotency/release']) {
      const answer = await first.request(path, { body: { tenant: 'acme', key: 'k', claimId: 'c' } });
      assert.equal(answer.status, 400, path);
      assert.match(answer.body.detail, /tool/, path);
    }
  });

  it('refuses a claim without a window, or waiting longer than a minute', async () => {
    const { first } = replicas;
    const noWindow = await first.request('/v1/idempotency/claim', { body: { tenant: 'acme', tool: 'email.send' } });
    assert.equal(noWindow.status, 400);
    const tooLong = await first.request('/v1/idempotency/claim', {
      body: { tenant: 'acme', tool: 'email.send', windowMs: 1000, waitMs: 120_000 },
    });
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.body.detail, /waitMs/);
  });
});
