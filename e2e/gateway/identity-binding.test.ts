import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isEstopError } from '@estop/core';
import { createIdentityResolver } from '@estop/gateway';
import { eventually, send, startSetup, type TestSetup } from './http-harness.js';

describe('an agent token bound to an agent cannot step out of a stop on that agent', () => {
  let setup: TestSetup;
  let mailer: string;

  before(async () => {
    setup = await startSetup();
    mailer = await setup.plane.token('agent', 'mailer', 'acme');
    const { version } = await setup.plane.rule({
      scope: { tenant: 'acme', agent: 'mailer' },
      mode: 'read_only',
      reason: 'mailer loops',
    });
    await eventually(() => setup.gateway.guard.version >= version);
  });
  after(() => setup.close());

  const write = (headers: Record<string, string>) =>
    send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mailer}`, 'content-type': 'application/json', ...headers },
      body: '{"to":"someone"}',
    });

  it("the token's own write is refused by the stop on its agent", async () => {
    const answer = await write({});
    assert.equal(answer.status, 403);
    assert.equal(answer.json.mode, 'read_only');
  });

  it('x-estop-agent naming another agent is refused with 403 and nothing reaches the upstream', async () => {
    const before = setup.upstream.seen.length;
    const answer = await write({ 'x-estop-agent': 'innocent' });
    assert.equal(answer.status, 403);
    assert.equal(answer.json.code, 'forbidden');
    assert.match(answer.json.detail, /bound to agent mailer/);
    assert.equal(setup.upstream.seen.length, before);
  });

  it('x-estop-agent naming its own agent is accepted, and the stop still applies', async () => {
    const answer = await write({ 'x-estop-agent': 'mailer' });
    assert.equal(answer.status, 403);
    assert.equal(answer.json.mode, 'read_only');
  });

  it('a run id the caller asserts does not escape a stop on its agent or its tenant', async () => {
    const before = setup.upstream.seen.length;
    const byRun = await write({ 'x-estop-run': 'some-fresh-run' });
    assert.equal(byRun.status, 403);
    assert.equal(byRun.json.mode, 'read_only');
    const { version } = await setup.plane.rule({ scope: { tenant: 'globex' }, mode: 'read_only', reason: 'globex' });
    await eventually(() => setup.gateway.guard.version >= version);
    const worker = await setup.plane.token('agent', 'globex-worker', 'globex');
    const tenantStopped = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${worker}`, 'x-estop-run': 'unrelated-run' },
      body: 'x',
    });
    assert.equal(tenantStopped.status, 403);
    assert.equal(setup.upstream.seen.length, before);
  });

  it('a token minted with --any-agent may name its agent in x-estop-agent', async () => {
    const response = await fetch(`${setup.plane.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: 'Bearer estop_gateway-test-admin', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'agent-pool', role: 'agent', tenant: 'acme', anyAgent: true }),
    });
    assert.equal(response.status, 201);
    const pool = ((await response.json()) as { token: string }).token;
    const asMailer = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pool}`, 'x-estop-agent': 'mailer' },
      body: 'x',
    });
    assert.equal(asMailer.status, 403);
    const asOther = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pool}`, 'x-estop-agent': 'reporter' },
      body: 'x',
    });
    assert.equal(asOther.status, 200);
  });

  it('a token minted with --agent is bound to that agent, not to its name', async () => {
    const response = await fetch(`${setup.plane.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: 'Bearer estop_gateway-test-admin', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'mailer-deploy-key', role: 'agent', tenant: 'acme', agent: 'mailer' }),
    });
    assert.equal(response.status, 201);
    const token = ((await response.json()) as { token: string }).token;
    const answer = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: 'x',
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.json.mode, 'read_only');
  });
});

describe("the gateway's cache of agent tokens honours revocation within a second", () => {
  let setup: TestSetup;
  before(async () => {
    setup = await startSetup();
  });
  after(() => setup.close());

  it('a resolver asked to cache longer keeps an identity at most 1 s: a revoked token is then refused', async () => {
    const created = await setup.plane.api('/v1/tokens', { name: 'revoked-agent', role: 'agent', tenant: 'acme' });
    const token = created.body.token as string;
    const identity = createIdentityResolver({ controlPlaneUrl: setup.plane.url, cacheMs: 60_000 });
    await identity.resolve({ authorization: `Bearer ${token}` });
    const revoked = await setup.plane.api(`/v1/tokens/${created.body.info.id}`, undefined, 'DELETE');
    assert.equal(revoked.status, 204);
    // The revoking control plane forgets the token at once; the resolver's cache lasts at most 1 s.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await assert.rejects(identity.resolve({ authorization: `Bearer ${token}` }), (error) =>
      isEstopError(error, 'unauthorized'),
    );
  });
});
