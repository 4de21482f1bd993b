import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { EstopError } from '@estop/core';
import { isEstopError } from '@estop/core';
import type { Enforcement } from '@estop/core';
import { createApiClient, waitForEnforcement } from '../src/api-client.js';
import { closedUrl, problem, startFakeHttp } from './fake-http.js';

async function rejection(promise: Promise<unknown>): Promise<EstopError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isEstopError(error), `expected an EstopError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

describe('the API client turns problem+json into an EstopError with its code and detail', async () => {
  const server = await startFakeHttp({
    'POST /v1/rules': problem('invalid_request', 400, 'reason: a reason is required', {
      issues: [{ path: ['reason'] }],
    }),
    'POST /v1/rules/r_1/lift': problem('forbidden', 403, 'lifting a rule needs the admin role'),
    'POST /v1/rules/r_gone/lift': problem('rule_not_found', 404, 'no active rule r_gone'),
    'GET /v1/rules': problem('unauthorized', 401, 'unknown token'),
    'GET /v1/enforcers': problem('made_up_code', 429, 'slow down'),
    'GET /v1/tokens': { status: 502, text: '<html>bad gateway</html>', contentType: 'text/html' },
    'GET /v1/audit/verify': { status: 200, text: 'not json', contentType: 'text/plain' },
  });
  after(() => server.close());
  const client = createApiClient({ url: server.url, token: 'estop_x' });

  it('keeps the code, the detail as message, and the status and issues as details', async () => {
    const error = await rejection(client.createRule({ scope: {}, reason: '', cancelInFlight: false }));
    assert.equal(error.code, 'invalid_request');
    assert.equal(error.message, 'reason: a reason is required');
    assert.equal(error.details?.status, 400);
    assert.equal(error.details?.detail, 'reason: a reason is required');
    assert.deepEqual(error.details?.issues, [{ path: ['reason'] }]);
  });

  it('keeps forbidden and rule_not_found apart from other codes', async () => {
    const forbidden = await rejection(client.liftRule('r_1', 'x'));
    assert.equal(forbidden.code, 'forbidden');
    assert.match(forbidden.message, /admin/);
    assert.equal((await rejection(client.liftRule('r_gone', 'x'))).code, 'rule_not_found');
  });

  it('does not add the missing-token hint when a token was sent', async () => {
    const error = await rejection(client.listRules());
    assert.equal(error.code, 'unauthorized');
    assert.equal(error.message, 'unknown token');
  });

  it('falls back to the status when the code is unknown or the body is not JSON', async () => {
    assert.equal((await rejection(client.listEnforcers())).code, 'rate_limited');
    const error = await rejection(client.listTokens());
    assert.equal(error.code, 'unavailable');
    assert.match(error.message, /HTTP 502/);
  });

  it('reports a success that is not JSON as a bad server, not as data', async () => {
    const error = await rejection(client.verifyAudit());
    assert.equal(error.code, 'internal');
    assert.match(error.message, /not JSON/);
  });
});

describe('the API client says how to authenticate when no token was given', async () => {
  const server = await startFakeHttp({ 'GET /v1/rules': problem('unauthorized', 401, 'a bearer token is required') });
  after(() => server.close());

  it('appends where a token can come from', async () => {
    const error = await rejection(createApiClient({ url: server.url }).listRules());
    assert.equal(error.code, 'unauthorized');
    assert.match(error.message, /^a bearer token is required; no token was given: pass --token, set ESTOP_TOKEN/);
    assert.equal(server.requests[0]?.headers.authorization, undefined);
  });
});

describe('an unreachable control plane is "unavailable", with what to check', () => {
  it('says whether `estop serve` is running when the connection is refused', async () => {
    const url = await closedUrl();
    const error = await rejection(createApiClient({ url, token: 't' }).listRules());
    assert.equal(error.code, 'unavailable');
    assert.equal(error.message, `cannot reach the control plane at ${url}: is \`estop serve\` running?`);
  });

  it('times out instead of hanging when the server never answers', async () => {
    const server = await startFakeHttp({ 'GET /v1/rules': { hang: true } });
    try {
      const error = await rejection(createApiClient({ url: server.url, timeoutMs: 100 }).listRules());
      assert.equal(error.code, 'timeout');
      assert.match(error.message, /did not answer within 100 ms/);
    } finally {
      await server.close();
    }
  });
});

describe('the API client sends what the API reference specifies', async () => {
  const enforcement: Enforcement = { version: 7, acknowledged: 1, total: 1, ms: 3, pending: [] };
  const server = await startFakeHttp({
    'POST /v1/rules': { status: 201, body: { rule: { id: 'r_1' }, version: 7 } },
    'GET /v1/versions/7/enforcement': { body: enforcement },
    'POST /v1/rules/r%2F1/lift': { body: { lift: { ruleId: 'r/1' }, version: 8 } },
    'GET /v1/audit': { body: { entries: [], head: { seq: 0, hash: '0' } } },
    'DELETE /v1/tokens/t_1': { status: 204 },
  });
  after(() => server.close());
  const client = createApiClient({ url: `${server.url}/`, token: 'estop_abc' });

  it('sends the bearer token and a JSON body', async () => {
    const created = await client.createRule({
      scope: { tenant: 'acme' },
      mode: 'read_only',
      reason: 'x',
      cancelInFlight: false,
    });
    assert.equal(created.version, 7);
    const request = server.requests.at(-1);
    assert.equal(request?.headers.authorization, 'Bearer estop_abc');
    assert.equal(request?.headers['content-type'], 'application/json');
    assert.deepEqual(request?.body, {
      scope: { tenant: 'acme' },
      mode: 'read_only',
      reason: 'x',
      cancelInFlight: false,
    });
  });

  it('asks the server to hold the enforcement answer for the wait', async () => {
    assert.deepEqual(await client.enforcement(7, 2000), enforcement);
    assert.equal(server.requests.at(-1)?.url, '/v1/versions/7/enforcement?wait=2000');
  });

  it('escapes ids in paths and passes audit paging as a query', async () => {
    await client.liftRule('r/1', 'fixed');
    assert.equal(server.requests.at(-1)?.url, '/v1/rules/r%2F1/lift');
    assert.deepEqual(server.requests.at(-1)?.body, { reason: 'fixed' });
    await client.listAudit({ after: 5, limit: 10 });
    assert.equal(server.requests.at(-1)?.url, '/v1/audit?after=5&limit=10');
    await client.listAudit({});
    assert.equal(server.requests.at(-1)?.url, '/v1/audit');
  });

  it('treats 204 as success without a body', async () => {
    assert.equal(await client.revokeToken('t_1'), undefined);
  });
});

describe('a wait longer than one request may hold is split over several requests', () => {
  it('asks again until everyone has acknowledged or the time is up', async () => {
    const waits: number[] = [];
    const answers: Enforcement[] = [
      { version: 3, acknowledged: 0, total: 1, pending: [{ id: 'a', name: 'a', version: 2 }] },
      { version: 3, acknowledged: 1, total: 1, ms: 40, pending: [] },
    ];
    const client = {
      enforcement: async (_version: number, waitMs: number) => {
        waits.push(waitMs);
        return answers.shift() ?? assert.fail('asked too often');
      },
    };
    const result = await waitForEnforcement(client, 3, 1000, 100);
    assert.equal(result.acknowledged, 1);
    assert.deepEqual(waits.length, 2);
    assert.ok(waits.every((wait) => wait <= 100));
  });

  it('asks once when the wait fits in one request', async () => {
    let calls = 0;
    const pending: Enforcement = {
      version: 3,
      acknowledged: 0,
      total: 1,
      pending: [{ id: 'a', name: 'a', version: 2 }],
    };
    const result = await waitForEnforcement({ enforcement: async () => (calls++, pending) }, 3, 50, 100);
    assert.equal(result, pending);
    assert.equal(calls, 1);
  });
});
