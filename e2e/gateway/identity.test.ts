import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isEstopError } from '@estop/core';
import { createIdentityResolver } from '@estop/gateway';
import { eventually, startPlane, type TestPlane } from './http-harness.js';

describe('the identity resolver accepts only agent tokens and never lets a bound token change tenant', () => {
  let plane: TestPlane;

  before(async () => {
    plane = await startPlane();
  });
  after(() => plane.close());

  it('takes tenant and agent from the binding (the agent is the token name by default), the run from its header', async () => {
    const token = await plane.token('agent', 'mailer', 'acme');
    const identity = createIdentityResolver({ controlPlaneUrl: plane.url });
    assert.deepEqual(await identity.resolve({ authorization: `Bearer ${token}` }), {
      tenant: 'acme',
      agent: 'mailer',
      run: undefined,
      name: 'mailer',
    });
    assert.deepEqual(
      await identity.resolve({
        authorization: `Bearer ${token}`,
        'x-estop-tenant': 'acme',
        'x-estop-agent': 'mailer',
        'x-estop-run': 'run-7',
      }),
      { tenant: 'acme', agent: 'mailer', run: 'run-7', name: 'mailer' },
    );
  });

  it('refuses a bound token acting as another agent', async () => {
    const token = await plane.token('agent', 'bound-agent', 'acme');
    const identity = createIdentityResolver({ controlPlaneUrl: plane.url });
    await assert.rejects(
      identity.resolve({ authorization: `Bearer ${token}`, 'x-estop-agent': 'drafter' }),
      (error) => {
        assert.ok(isEstopError(error, 'forbidden'));
        assert.equal(error.message, 'token is bound to agent bound-agent; it cannot act as drafter');
        return true;
      },
    );
  });

  it('a token minted with anyAgent names its agent in x-estop-agent, or is its name', async () => {
    const created = await plane.api('/v1/tokens', { name: 'pool', role: 'agent', tenant: 'acme', anyAgent: true });
    const token = created.body.token as string;
    const identity = createIdentityResolver({ controlPlaneUrl: plane.url });
    assert.equal(
      (await identity.resolve({ authorization: `Bearer ${token}`, 'x-estop-agent': 'drafter' })).agent,
      'drafter',
    );
    assert.equal((await identity.resolve({ authorization: `Bearer ${token}` })).agent, 'pool');
  });

  it('refuses a bound token acting as another tenant', async () => {
    const token = await plane.token('agent', 'bound', 'acme');
    const identity = createIdentityResolver({ controlPlaneUrl: plane.url });
    await assert.rejects(
      identity.resolve({ authorization: `Bearer ${token}`, 'x-estop-tenant': 'globex' }),
      (error) => {
        assert.ok(isEstopError(error, 'forbidden'));
        assert.equal(error.message, 'token is bound to tenant acme; it cannot act as globex');
        return true;
      },
    );
  });

  it('an unbound token names its tenant in x-estop-tenant, and must', async () => {
    const token = await plane.token('agent', 'unbound');
    const identity = createIdentityResolver({ controlPlaneUrl: plane.url });
    assert.equal(
      (await identity.resolve({ authorization: `Bearer ${token}`, 'x-estop-tenant': 'globex' })).tenant,
      'globex',
    );
    await assert.rejects(identity.resolve({ authorization: `Bearer ${token}` }), (error) => {
      assert.ok(isEstopError(error, 'invalid_request'));
      assert.match(error.message, /x-estop-tenant/);
      return true;
    });
  });

  it('refuses missing, malformed and unknown tokens as unauthorized, and other roles as forbidden', async () => {
    const identity = createIdentityResolver({ controlPlaneUrl: plane.url });
    await assert.rejects(identity.resolve({}), (error) => isEstopError(error, 'unauthorized'));
    await assert.rejects(identity.resolve({ authorization: 'Basic abc' }), (error) =>
      isEstopError(error, 'unauthorized'),
    );
    await assert.rejects(identity.resolve({ authorization: 'Bearer estop_unknown' }), (error) =>
      isEstopError(error, 'unauthorized'),
    );
    const enforcer = await plane.token('enforcer', 'not-an-agent');
    await assert.rejects(
      identity.resolve({ authorization: `Bearer ${enforcer}`, 'x-estop-tenant': 'acme' }),
      (error) => {
        assert.ok(isEstopError(error, 'forbidden'));
        assert.match(error.message, /enforcer role; the gateway accepts only agent tokens/);
        return true;
      },
    );
  });

  it('remembers a valid token for cacheMs, so one question serves many calls', async () => {
    const token = await plane.token('agent', 'cached', 'acme');
    let questions = 0;
    const counting: typeof fetch = (input, init) => {
      questions += 1;
      return fetch(input, init);
    };
    const identity = createIdentityResolver({ controlPlaneUrl: plane.url, cacheMs: 60_000, fetch: counting });
    await Promise.all(Array.from({ length: 20 }, () => identity.resolve({ authorization: `Bearer ${token}` })));
    await identity.resolve({ authorization: `Bearer ${token}` });
    assert.equal(questions, 1);
  });

  it('a revoked token stops working once the cache has expired', async () => {
    const token = await plane.token('agent', 'revoked-soon', 'acme');
    const identity = createIdentityResolver({ controlPlaneUrl: plane.url, cacheMs: 0 });
    await identity.resolve({ authorization: `Bearer ${token}` });
    const listed = await plane.api('/v1/tokens');
    const id = (listed.body.tokens as { id: string; name: string }[]).find((info) => info.name === 'revoked-soon')?.id;
    assert.ok(id !== undefined);
    assert.equal((await plane.api(`/v1/tokens/${id}`, undefined, 'DELETE')).status, 204);
    // The control plane itself remembers tokens for a second.
    await eventually(() =>
      identity.resolve({ authorization: `Bearer ${token}` }).then(
        () => false,
        (error: unknown) => isEstopError(error, 'unauthorized'),
      ),
    );
  });

  it('an unreachable control plane is unavailable, so the caller fails closed', async () => {
    const identity = createIdentityResolver({ controlPlaneUrl: 'http://127.0.0.1:1' });
    await assert.rejects(identity.resolve({ authorization: 'Bearer estop_anything' }), (error) => {
      assert.ok(isEstopError(error, 'unavailable'));
      assert.match(error.message, /did not answer/);
      return true;
    });
  });
});
