import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMemoryStore, type Store } from '@estop/core';
import { createSqliteStore } from '@estop/store-sqlite';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { startTestControlPlane } from './harness.js';

const STORES: Record<string, () => Promise<Store>> = {
  memory: async () => createMemoryStore({ sha256: sha256Hex }),
  sqlite: async () =>
    createSqliteStore({ file: join(await mkdtemp(join(tmpdir(), 'estop-batch-')), 'estop.db'), sha256: sha256Hex }),
};

const claim = (key: string, tool = 'email.send') => ({ op: 'claim', tenant: 'acme', tool, key, windowMs: 60_000 });

for (const [kind, open] of Object.entries(STORES)) {
  describe(`POST /v1/idempotency/batch carries many keys' claims and settlements in one request (${kind})`, () => {
    it('answers each operation in order, as the single routes would', async () => {
      const cp = await startTestControlPlane({ store: await open() });
      try {
        const token = await cp.token('enforcer', 'acme');
        const first = await cp.request('/v1/idempotency/batch', {
          token,
          body: { ops: [claim('a'), claim('b'), claim('a'), claim('c')] },
        });
        assert.equal(first.status, 200, JSON.stringify(first.body));
        const [a, b, again, c] = first.body.results;
        assert.equal(a.status, 'claimed');
        assert.equal(b.status, 'claimed');
        // The same key twice in one batch: the second finds it held, as a duplicate would.
        assert.deepEqual(again, { status: 'pending', key: 'a' });
        assert.equal(c.status, 'claimed');

        const second = await cp.request('/v1/idempotency/batch', {
          token,
          body: {
            ops: [
              { op: 'complete', tenant: 'acme', tool: 'email.send', key: 'a', claimId: a.claimId, result: { sent: 1 } },
              { op: 'release', tenant: 'acme', tool: 'email.send', key: 'b', claimId: b.claimId },
              { op: 'complete', tenant: 'acme', tool: 'email.send', key: 'c', claimId: 'not-its-claim', result: 1 },
            ],
          },
        });
        assert.equal(second.status, 200, JSON.stringify(second.body));
        assert.deepEqual(second.body.results[0], { status: 'ok' });
        assert.deepEqual(second.body.results[1], { status: 'ok' });
        // A completion whose claim does not hold is refused in place; the others stand.
        assert.equal(second.body.results[2].status, 'error');
        assert.equal(second.body.results[2].code, 'conflict');

        const third = await cp.request('/v1/idempotency/batch', {
          token,
          body: { ops: [claim('a'), claim('b'), claim('c'), claim('a', 'email.draft')] },
        });
        const [done, reclaimed, held, otherTool] = third.body.results;
        assert.deepEqual(done, { status: 'done', key: 'a', result: { sent: 1 } });
        assert.equal(reclaimed.status, 'claimed', 'a released key can be claimed again');
        assert.deepEqual(held, { status: 'pending', key: 'c' });
        assert.equal(otherTool.status, 'claimed', 'keys are kept per tool');

        // The single route sees what the batch wrote.
        const single = await cp.request('/v1/idempotency/claim', {
          token,
          body: { tenant: 'acme', tool: 'email.send', key: 'a', windowMs: 60_000 },
        });
        assert.deepEqual(single.body, { status: 'done', key: 'a', result: { sent: 1 } });
      } finally {
        await cp.close();
      }
    });

    it('refuses the whole batch when one operation names another tenant, and carries out none of it', async () => {
      const cp = await startTestControlPlane({ store: await open() });
      try {
        const token = await cp.token('enforcer', 'acme');
        const answer = await cp.request('/v1/idempotency/batch', {
          token,
          body: { ops: [claim('mine'), { ...claim('theirs'), tenant: 'globex' }] },
        });
        assert.equal(answer.status, 403, JSON.stringify(answer.body));
        assert.equal(answer.body.code, 'forbidden');
        const mine = await cp.request('/v1/idempotency/batch', { token, body: { ops: [claim('mine')] } });
        assert.equal(mine.body.results[0].status, 'claimed', 'the refused batch claimed nothing');
      } finally {
        await cp.close();
      }
    });

    it('refuses an empty, oversized or malformed batch with a problem', async () => {
      const cp = await startTestControlPlane({ store: await open() });
      try {
        const token = await cp.token('enforcer', 'acme');
        const cases = [
          { ops: [] },
          { ops: Array.from({ length: 1001 }, (_, index) => claim(`k${index}`)) },
          { ops: [{ op: 'drop', tenant: 'acme', tool: 't', key: 'k' }] },
          { ops: [{ ...claim('k'), waitMs: 1000 }] },
          { ops: [{ op: 'complete', tenant: 'acme', tool: 't', key: 'k' }] },
        ];
        for (const body of cases) {
          const answer = await cp.request('/v1/idempotency/batch', { token, body });
          assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 80));
          assert.equal(answer.body.code, 'invalid_request');
        }
        const viewer = await cp.token('viewer');
        assert.equal(
          (await cp.request('/v1/idempotency/batch', { token: viewer, body: { ops: [claim('k')] } })).status,
          403,
        );
      } finally {
        await cp.close();
      }
    });
  });
}
