import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BOOTSTRAP_PRINCIPAL_ID, createMemoryStore, systemClock } from '@estop/core';
import { bootstrapAdmin } from '../src/tokens/bootstrap-admin.js';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { ADMIN_TOKEN, startTestControlPlane } from './harness.js';

const directories: string[] = [];
after(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe("the environment's admin and the bootstrap admin are one principal", () => {
  it('the bootstrap-admin token and ESTOP_ADMIN_TOKEN both act as p_bootstrap', async () => {
    const data = await mkdtemp(join(tmpdir(), 'estop-bootstrap-'));
    directories.push(data);
    const store = createMemoryStore({ sha256: sha256Hex });
    await bootstrapAdmin({ store, data, clock: systemClock });
    const secret = (await readFile(join(data, 'admin-token'), 'utf8')).trim();
    const cp = await startTestControlPlane({ store });
    try {
      const bootstrap = await cp.request('/v1/whoami', { token: secret });
      const environment = await cp.request('/v1/whoami', { token: ADMIN_TOKEN });
      assert.equal(bootstrap.body.principalId, BOOTSTRAP_PRINCIPAL_ID);
      assert.equal(environment.body.principalId, BOOTSTRAP_PRINCIPAL_ID);
      // One principal: a restore one of them asks for, the other cannot confirm.
      const created = await cp.request('/v1/rules', {
        body: { scope: {}, mode: 'full_stop', reason: 'incident' },
      });
      const lift = await cp.request(`/v1/rules/${created.body.rule.id}/lift`, { body: { reason: 'fixed' } });
      assert.equal(lift.status, 202);
      const confirm = await cp.request(`/v1/restore-requests/${lift.body.request.id}/confirm`, {
        token: secret,
        body: { reason: 'me, from the file' },
      });
      assert.equal(confirm.status, 403);
      // And it counts once: a second admin principal is still made alone.
      const second = await cp.request('/v1/tokens', { body: { name: 'bootstrap-second', role: 'admin' } });
      assert.equal(second.status, 201);
    } finally {
      await cp.close();
    }
  });
});
