import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore } from '@estop/core';
import { sha256Hex } from '../src/token-secret.js';
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
      const answer = await first.request(path, { token, body: { tenant: 'globex', key: 'k', claimId: 'c' } });
      assert.equal(answer.status, 403, path);
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
