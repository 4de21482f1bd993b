import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, send, startSetup, type TestSetup } from './http-harness.js';

describe('the HTTP gateway decides every call before it reaches the upstream', () => {
  let setup: TestSetup;
  let acme: string;
  let globex: string;

  before(async () => {
    setup = await startSetup();
    acme = await setup.plane.token('agent', 'acme-mailer', 'acme');
    globex = await setup.plane.token('agent', 'globex-mailer', 'globex');
    const { version } = await setup.plane.rule({
      scope: { tenant: 'acme' },
      mode: 'read_only',
      reason: 'duplicate emails',
    });
    await eventually(() => setup.gateway.guard.version >= version);
  });
  after(() => setup.close());

  it('a read passes a tenant in read_only', async () => {
    const answer = await send(`${setup.url}/tools/search.read?q=estop`, {
      headers: { authorization: `Bearer ${acme}` },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.url, '/echo?source=gateway&q=estop');
  });

  it('a write of a tenant in read_only is refused with 403 problem+json naming mode and reason, and never sent', async () => {
    const before = setup.upstream.seen.length;
    const answer = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acme}`, 'content-type': 'application/json' },
      body: '{"to":"someone"}',
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.headers['content-type'], 'application/problem+json');
    assert.equal(answer.json.code, 'forbidden');
    assert.equal(answer.json.mode, 'read_only');
    assert.equal(answer.json.reason, 'duplicate emails');
    assert.equal(answer.json.scope, 'tenant=acme');
    assert.equal(answer.json.executed, false);
    assert.match(answer.json.detail, /email\.send was denied: tenant=acme is read_only .*duplicate emails/);
    assert.doesNotMatch(JSON.stringify(answer.json), /upstream-secret/);
    assert.equal(setup.upstream.seen.length, before);
  });

  it('another tenant is unaffected', async () => {
    const answer = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${globex}` },
      body: 'hello',
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.bytes, 5);
  });

  it('a tenant-bound token cannot act as another tenant, whatever the headers say', async () => {
    const answer = await send(`${setup.url}/tools/search.read`, {
      headers: { authorization: `Bearer ${acme}`, 'x-estop-tenant': 'globex' },
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.json.code, 'forbidden');
    assert.equal(answer.json.detail, 'token is bound to tenant acme; it cannot act as globex');
  });

  it('a call without a token is refused with 401', async () => {
    const answer = await send(`${setup.url}/tools/search.read`);
    assert.equal(answer.status, 401);
    assert.equal(answer.headers['content-type'], 'application/problem+json');
    assert.equal(answer.json.code, 'unauthorized');
  });

  it('an unknown token is refused with 401', async () => {
    const answer = await send(`${setup.url}/tools/search.read`, { headers: { authorization: 'Bearer estop_nope' } });
    assert.equal(answer.status, 401);
  });

  it('a token of another role than agent is refused with 403', async () => {
    const operator = await setup.plane.token('operator', 'an-operator');
    const answer = await send(`${setup.url}/tools/search.read`, {
      headers: { authorization: `Bearer ${operator}`, 'x-estop-tenant': 'acme' },
    });
    assert.equal(answer.status, 403);
    assert.match(answer.json.detail, /only agent tokens/);
  });

  it('an unbound agent token must name its tenant in x-estop-tenant, and its header decides', async () => {
    const unbound = await setup.plane.token('agent', 'roaming');
    const missing = await send(`${setup.url}/tools/search.read`, { headers: { authorization: `Bearer ${unbound}` } });
    assert.equal(missing.status, 400);
    assert.match(missing.json.detail, /x-estop-tenant/);
    const asAcme = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${unbound}`, 'x-estop-tenant': 'acme' },
    });
    assert.equal(asAcme.status, 403);
    const asGlobex = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${unbound}`, 'x-estop-tenant': 'globex' },
    });
    assert.equal(asGlobex.status, 200);
  });

  it('an agent-scoped rule stops that agent only, and its token cannot name another agent', async () => {
    const { version } = await setup.plane.rule({
      scope: { agent: 'globex-mailer', tool: 'email.*' },
      mode: 'full_stop',
      reason: 'looping',
    });
    await eventually(() => setup.gateway.guard.version >= version);
    const byName = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${globex}` },
    });
    assert.equal(byName.status, 403);
    assert.equal(byName.json.mode, 'full_stop');
    const otherAgent = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${globex}`, 'x-estop-agent': 'reporter' },
    });
    assert.equal(otherAgent.status, 403);
    assert.equal(otherAgent.json.detail, 'token is bound to agent globex-mailer; it cannot act as reporter');
    const reporter = await setup.plane.token('agent', 'reporter', 'globex');
    const unstopped = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reporter}` },
    });
    assert.equal(unstopped.status, 200);
  });

  it('a draft_only write is not executed: it is recorded as a draft and answered with 202', async () => {
    const { version } = await setup.plane.rule({
      scope: { tenant: 'initech' },
      mode: 'draft_only',
      reason: 'review first',
    });
    await eventually(() => setup.gateway.guard.version >= version);
    const initech = await setup.plane.token('agent', 'initech-bot', 'initech');
    const before = setup.upstream.seen.length;
    const answer = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${initech}` },
    });
    assert.equal(answer.status, 202);
    assert.equal(answer.json.drafted, true);
    assert.equal(answer.json.executed, false);
    assert.match(answer.json.message, new RegExp(`not executed.*draft ${answer.json.draftId}`));
    assert.equal(setup.upstream.seen.length, before);
    const drafts = await setup.plane.api('/v1/drafts?tenant=initech');
    assert.deepEqual(
      drafts.body.drafts.map((draft: any) => [draft.id, draft.tool]),
      [[answer.json.draftId, 'email.send']],
    );
  });

  it('a wrong method is 405 and an unknown route is 404, both problem+json', async () => {
    const wrong = await send(`${setup.url}/tools/email.send`, { headers: { authorization: `Bearer ${globex}` } });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'POST');
    assert.equal(wrong.headers['content-type'], 'application/problem+json');
    const unknown = await send(`${setup.url}/tools/nothing.here`, { headers: { authorization: `Bearer ${globex}` } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers['content-type'], 'application/problem+json');
    const elsewhere = await send(`${setup.url}/elsewhere`);
    assert.equal(elsewhere.status, 404);
    const malformed = await send(`${setup.url}/tools/%E0%A4%A`, { headers: { authorization: `Bearer ${globex}` } });
    assert.equal(malformed.status, 404);
    const unknownServer = await send(`${setup.url}/mcp/nothing`, { method: 'POST' });
    assert.equal(unknownServer.status, 404);
  });

  it('/healthz reports the applied version and staleness', async () => {
    const answer = await send(`${setup.url}/healthz`);
    assert.equal(answer.status, 200);
    assert.equal(answer.json.status, 'ok');
    assert.equal(answer.json.stale, false);
    assert.ok(answer.json.version >= 1);
  });
});
