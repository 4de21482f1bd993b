import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPostgresStore } from '@estop/store-postgres';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { ADMIN_TOKEN, eventually, startTestControlPlane, type TestControlPlane } from './harness.js';
import { databaseUrl, postgresSchema } from './postgres-schema.js';

async function mint(
  cp: TestControlPlane,
  body: Record<string, unknown>,
  token: string = ADMIN_TOKEN,
): Promise<{ status: number; body: any }> {
  return cp.request('/v1/tokens', { token, body });
}

/** A full stop on `tenant` and a pending request to lift it, made with `token`. */
async function restoreRequest(cp: TestControlPlane, tenant: string, token: string): Promise<string> {
  const created = await cp.request('/v1/rules', {
    token,
    body: { scope: { tenant }, mode: 'full_stop', reason: 'incident' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const lift = await cp.request(`/v1/rules/${created.body.rule.id}/lift`, { token, body: { reason: 'fixed' } });
  assert.equal(lift.status, 202, JSON.stringify(lift.body));
  return lift.body.request.id as string;
}

describe('every token belongs to a principal fixed when it is minted', () => {
  let cp: TestControlPlane;
  let tenantAdmin: string;
  before(async () => {
    cp = await startTestControlPlane();
    // The second admin principal: the environment's admin, the only one so far, may create it alone.
    const created = await mint(cp, { name: 'acme-admin', role: 'admin', tenant: 'acme' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    tenantAdmin = created.body.token;
  });
  after(() => cp.close());

  it('a token minted under a new name is a new principal; one minted for yourself is you', async () => {
    const me = await cp.request('/v1/whoami');
    assert.match(me.body.principalId, /^p_/);
    const mine = await mint(cp, { forMe: true, role: 'operator' });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    assert.equal(mine.body.info.principalId, me.body.principalId);
    const bot = await mint(cp, { name: 'ci-bot', role: 'operator' });
    assert.equal(bot.status, 201);
    assert.match(bot.body.info.principalId, /^p_/);
    assert.notEqual(bot.body.info.principalId, me.body.principalId);
    const whoami = await cp.request('/v1/whoami', { token: bot.body.token });
    assert.equal(whoami.body.principalId, bot.body.info.principalId);
    assert.equal(whoami.body.tokenId, bot.body.info.id);
  });

  it("a principal's name is its own: a second principal cannot take it", async () => {
    assert.equal((await mint(cp, { name: 'alice', role: 'viewer' })).status, 201);
    const again = await mint(cp, { name: 'alice', role: 'operator' });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'conflict');
  });

  it('reserved names cannot be taken, by any admin', async () => {
    for (const name of [
      'bootstrap-admin',
      'admin',
      'system',
      'sentinel:flood',
      'budget:acme',
      'admin (ESTOP_ADMIN_TOKEN)',
    ]) {
      for (const token of [ADMIN_TOKEN, tenantAdmin]) {
        const taken = await mint(cp, { name, role: 'operator', tenant: 'acme' }, token);
        assert.equal(taken.status, 400, `${name}: ${JSON.stringify(taken.body)}`);
        assert.equal(taken.body.code, 'invalid_request');
        assert.match(taken.body.detail, /reserved/);
      }
    }
  });

  it('a tenant-bound admin mints only tokens bound to its tenant', async () => {
    const other = await mint(cp, { name: 'acme-to-globex', role: 'viewer', tenant: 'globex' }, tenantAdmin);
    assert.equal(other.status, 403);
    const bound = await mint(cp, { name: 'acme-viewer', role: 'viewer' }, tenantAdmin);
    assert.equal(bound.status, 201);
    assert.equal(bound.body.info.tenant, 'acme');
    const admin = await mint(cp, { name: 'acme-admin-2', role: 'admin' }, tenantAdmin);
    assert.equal(admin.status, 202, 'a new admin principal, even within the tenant, needs a second admin');
    assert.equal(admin.body.request.token.tenant, 'acme');
  });

  it('audit entries carry the principal id and the token id of who acted', async () => {
    const operator = await mint(cp, { name: 'auditable', role: 'operator' });
    const created = await cp.request('/v1/rules', {
      token: operator.body.token,
      body: { scope: { tenant: 'audited' }, mode: 'read_only', reason: 'x' },
    });
    const entries = (await cp.request('/v1/audit')).body.entries as any[];
    const entry = entries.find((candidate) => candidate.ruleId === created.body.rule.id);
    assert.equal(entry.actor.id, 'auditable');
    assert.equal(entry.actor.principalId, operator.body.info.principalId);
    assert.equal(entry.actor.tokenId, operator.body.info.id);
    assert.equal((await cp.request('/v1/audit/verify')).body.ok, true);
  });
});

describe('the second approver is a different principal, not a different token name', () => {
  let cp: TestControlPlane;
  let second: { token: string; principalId: string };
  before(async () => {
    cp = await startTestControlPlane();
    const created = await mint(cp, { name: 'second-admin', role: 'admin' });
    second = { token: created.body.token, principalId: created.body.info.principalId };
  });
  after(() => cp.close());

  it('an admin cannot confirm their own restore with another token of their own', async () => {
    const id = await restoreRequest(cp, 'mine', ADMIN_TOKEN);
    const mine = await mint(cp, { forMe: true, role: 'admin' });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    const confirm = await cp.request(`/v1/restore-requests/${id}/confirm`, {
      token: mine.body.token,
      body: { reason: 'me again' },
    });
    assert.equal(confirm.status, 403);
    assert.match(confirm.body.detail, /second admin/);
  });

  it('two people whose tokens share a name (minted before names were unique) confirm each other', async () => {
    const at = new Date().toISOString();
    const secrets = ['estop_legacy-one', 'estop_legacy-two'];
    for (const [index, secret] of secrets.entries()) {
      await cp.store.tokens.create(
        {
          id: `t_legacy${index}`,
          name: 'ops',
          principalId: `p_legacy${index}`,
          role: 'admin',
          hash: sha256Hex(secret),
          createdAt: at,
          createdBy: 'system',
        },
        { at, action: 'token-created', actor: { id: 'system', kind: 'system' } },
      );
    }
    const id = await restoreRequest(cp, 'shared-name', secrets[0] as string);
    const confirmed = await cp.request(`/v1/restore-requests/${id}/confirm`, {
      token: secrets[1] as string,
      body: { reason: 'the other ops' },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  });

  it('with two admin principals, a third is a request that the asker cannot confirm', async () => {
    const asked = await mint(cp, { name: 'third-admin', role: 'admin' });
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    const request = asked.body.request;
    assert.match(request.id, /^ar_/);
    assert.equal((await cp.request('/v1/whoami', { token: asked.body.token })).status, 401);
    // The restore of a rule cannot be confirmed with it either: it is not a token yet.
    const own = await cp.request(`/v1/tokens/requests/${request.id}/confirm`, { body: { reason: 'me' } });
    assert.equal(own.status, 403);
    const forMe = await mint(cp, { forMe: true, role: 'admin' });
    const ownAgain = await cp.request(`/v1/tokens/requests/${request.id}/confirm`, {
      token: forMe.body.token,
      body: { reason: 'me' },
    });
    assert.equal(ownAgain.status, 403);
    const listed = await cp.request('/v1/tokens/requests', { token: second.token });
    assert.deepEqual(
      listed.body.requests.map((pending: any) => pending.id),
      [request.id],
    );
    const confirmed = await cp.request(`/v1/tokens/requests/${request.id}/confirm`, {
      token: second.token,
      body: { reason: 'known colleague' },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    const whoami = await cp.request('/v1/whoami', { token: asked.body.token });
    assert.equal(whoami.status, 200);
    assert.equal(whoami.body.role, 'admin');
    assert.equal(whoami.body.name, 'third-admin');
    const actions = ((await cp.request('/v1/audit')).body.entries as any[])
      .filter((entry) => entry.data?.requestId === request.id)
      .map((entry) => [entry.action, entry.actor.principalId]);
    assert.deepEqual(actions, [
      ['admin-requested', (await cp.request('/v1/whoami')).body.principalId],
      ['admin-confirmed', second.principalId],
    ]);
    assert.equal(
      (await cp.request(`/v1/tokens/requests/${request.id}/confirm`, { token: second.token, body: { reason: 'x' } }))
        .status,
      404,
    );
  });

  it('a tenant-bound admin principal counts as an admin principal too', async () => {
    const asked = await mint(cp, { name: 'fourth-admin', role: 'admin', tenant: 'acme' });
    assert.equal(asked.status, 202);
    assert.equal(asked.body.request.token.hash, undefined);
  });
});

describe('only while a single admin principal exists may it create the second alone', () => {
  const postgres = postgresSchema('estop_principals');
  after(() => postgres.drop());

  it('two admins asked for at once: one is made alone, the other becomes a request', async (context) => {
    // On PostgreSQL, where reading the admins and storing the token are separate round trips.
    if (!(await postgres.ready(context))) return;
    const store = createPostgresStore({ url: databaseUrl, schema: postgres.schema, sha256: sha256Hex });
    const cp = await startTestControlPlane({ store });
    try {
      const answers = await Promise.all([
        mint(cp, { name: 'together-1', role: 'admin' }),
        mint(cp, { name: 'together-2', role: 'admin' }),
      ]);
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 202]);
    } finally {
      await cp.close();
    }
  });

  it('and the audit says so', async () => {
    const cp = await startTestControlPlane();
    try {
      const second = await mint(cp, { name: 'colleague', role: 'admin' });
      assert.equal(second.status, 201);
      const entry = ((await cp.request('/v1/audit')).body.entries as any[]).find(
        (candidate) => candidate.action === 'token-created' && candidate.data?.tokenId === second.body.info.id,
      );
      assert.equal(entry.data.soleAdmin, true);
      const third = await mint(cp, { name: 'another', role: 'admin' }, second.body.token);
      assert.equal(third.status, 202);
    } finally {
      await cp.close();
    }
  });
});

describe('an admin request does not wait forever', () => {
  it('expires after restore.request_ttl, audited admin-expired; its secret never works', async () => {
    const cp = await startTestControlPlane({ expiryCheckMs: 20, restore: { requestTtlMs: 200 } });
    try {
      const second = await mint(cp, { name: 'expiry-second', role: 'admin' });
      assert.equal(second.status, 201);
      const asked = await mint(cp, { name: 'expiry-third', role: 'admin' });
      assert.equal(asked.status, 202);
      const id = asked.body.request.id as string;
      await eventually(async () => {
        const entries = (await cp.request('/v1/audit')).body.entries as any[];
        return entries.some((entry) => entry.action === 'admin-expired' && entry.data.requestId === id);
      });
      const late = await cp.request(`/v1/tokens/requests/${id}/confirm`, {
        token: second.body.token,
        body: { reason: 'late' },
      });
      assert.equal(late.status, 404);
      assert.equal((await cp.request('/v1/whoami', { token: asked.body.token })).status, 401);
    } finally {
      await cp.close();
    }
  });
});
