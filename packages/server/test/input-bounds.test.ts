import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore, EstopError, type Store } from '@estop/core';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { ADMIN_TOKEN, startTestControlPlane, type TestControlPlane } from './harness.js';

type Answer = { status: number; type: string; body: any };

function assertProblem(response: Answer, status: number, code: string) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.type, /^application\/problem\+json/);
  assert.equal(response.body.code, code);
  assert.equal(response.body.status, status);
  assert.equal(typeof response.body.detail, 'string');
}

/** One request over a raw socket, so that headers, chunked bodies and odd paths go out as written. */
function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; chunks?: Buffer[] },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...options.headers },
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            type: String(response.headers['content-type'] ?? ''),
            body: text === '' ? undefined : JSON.parse(text),
          });
        });
      },
    );
    request.on('error', reject);
    for (const chunk of options.chunks ?? []) request.write(chunk);
    request.end();
  });
}

const ruleBody = (reason: string) => JSON.stringify({ scope: { tenant: 'bounds' }, mode: 'read_only', reason });

let cp: TestControlPlane;
before(async () => {
  cp = await startTestControlPlane();
});
after(() => cp.close());

describe('a request body over the limit is refused with 413 before it is read whole', () => {
  it('refuses a 2 MB body declared by content-length against the 1 MB default', async () => {
    const response = await cp.request('/v1/rules', { rawBody: ruleBody('x'.repeat(2 * 1024 * 1024)) });
    assertProblem(response, 413, 'invalid_request');
  });

  it('refuses a 2 MB chunked body with no content-length', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const response = await rawRequest(cp.url, {
      method: 'POST',
      path: '/v1/rules',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks: Array.from({ length: 32 }, () => chunk),
    });
    assertProblem(response, 413, 'invalid_request');
  });

  it('refuses a body over the limit on every endpoint, whatever the role', async () => {
    const enforcer = await cp.token('enforcer');
    for (const path of [
      '/v1/approvals',
      '/v1/drafts',
      '/v1/enforcers',
      '/v1/enforcers/sdk_bounds/stream',
      '/v1/idempotency/claim',
      '/v1/runs',
    ]) {
      const response = await cp.request(path, { token: enforcer, rawBody: `{"args":"${'y'.repeat(1_100_000)}"}` });
      assertProblem(response, 413, 'invalid_request');
    }
  });

  it('takes the limit from the options', async () => {
    const small = await startTestControlPlane({ limits: { bodyBytes: 1000 } });
    try {
      assertProblem(await small.request('/v1/rules', { rawBody: ruleBody('x'.repeat(2000)) }), 413, 'invalid_request');
      assert.equal((await small.request('/v1/rules', { rawBody: ruleBody('fits') })).status, 201);
    } finally {
      await small.close();
    }
  });
});

describe('JSON nested deeper than the limit is a 400, not a stack overflow', () => {
  it('refuses arrays nested 5,000 deep', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    assertProblem(await cp.request('/v1/rules', { rawBody: deep }), 400, 'invalid_request');
  });

  it('refuses objects nested 100,000 deep in an approval’s arguments', async () => {
    const enforcer = await cp.token('enforcer');
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const response = await cp.request('/v1/approvals', {
      token: enforcer,
      rawBody: `{"tenant":"bounds","tool":"t","args":${deep}}`,
    });
    assertProblem(response, 400, 'invalid_request');
  });

  it('takes nesting inside strings for text', async () => {
    const response = await cp.request('/v1/rules', { rawBody: ruleBody('['.repeat(400)) });
    assert.equal(response.status, 201, JSON.stringify(response.body));
  });
});

describe('every error is problem+json, including what Node answers itself', () => {
  it('answers an unknown path with a 404 problem', async () => {
    assertProblem(await cp.request('/v1/nope'), 404, 'not_found');
    assertProblem(await cp.request('/v1/rules', { method: 'PATCH' }), 404, 'not_found');
  });

  it('answers headers over Node’s limit with a 431 problem', async () => {
    const response = await rawRequest(cp.url, { path: '/v1/rules', headers: { 'x-padding': 'p'.repeat(20_000) } });
    assert.equal(response.status, 431);
    assert.match(response.type, /^application\/problem\+json/);
    assert.equal(response.body.code, 'invalid_request');
  });

  it('answers a URL over Node’s limit with a 431 problem', async () => {
    const response = await rawRequest(cp.url, { path: `/v1/rules/${'r'.repeat(20_000)}` });
    assert.equal(response.status, 431);
    assert.match(response.type, /^application\/problem\+json/);
  });

  it('answers an expectation it cannot meet with a 417 problem', async () => {
    const response = await rawRequest(cp.url, { path: '/v1/rules', headers: { expect: 'the-impossible' } });
    assert.equal(response.status, 417);
    assert.match(response.type, /^application\/problem\+json/);
    assert.equal(response.body.code, 'invalid_request');
  });

  it('answers a request Node cannot parse with a 400 problem', async () => {
    const { connect } = await import('node:net');
    const target = new URL(cp.url);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(target.port), target.hostname, () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('utf8')));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    assert.match(text, /^HTTP\/1\.1 400/);
    assert.match(text, /content-type: application\/problem\+json/i);
    assert.match(text, /"code":"invalid_request"/);
  });
});

describe('path ids are checked before any store sees them', () => {
  for (const path of [
    '/v1/rules/a%00b',
    '/v1/rules/%ff',
    '/v1/rules/a%2Fb',
    `/v1/rules/${'r'.repeat(300)}`,
    '/v1/tokens/%00',
    '/v1/approvals/%00',
    '/v1/restore-requests/%00/confirm',
    '/v1/enforcers/%00/ack',
  ]) {
    it(`answers ${path.slice(0, 40)} with 400`, async () => {
      const method = path.startsWith('/v1/tokens') ? 'DELETE' : path.split('/').length > 4 ? 'POST' : 'GET';
      assertProblem(await cp.request(path, { method }), 400, 'invalid_request');
    });
  }
});

describe('query values are checked before any store sees them', () => {
  for (const path of [
    '/v1/drafts?tenant=%00',
    '/v1/versions/1/enforcement?rule=a%00',
    '/v1/stream?enforcer=%ED%A0%80',
  ]) {
    it(`answers ${path} with 400`, async () => {
      assertProblem(await cp.request(path), 400, 'invalid_request');
    });
  }
});

describe('a 5xx carries no store text', () => {
  it('answers a store failure with a generic detail', async () => {
    const inner = createMemoryStore({ sha256: sha256Hex });
    const store: Store = {
      ...inner,
      rules: {
        ...inner.rules,
        get: async () => {
          throw new EstopError({ code: 'internal', message: 'PostgreSQL store: invalid byte sequence in "rules"' });
        },
      },
    };
    const failing = await startTestControlPlane({ store });
    try {
      const response = await failing.request('/v1/rules/r_1');
      assertProblem(response, 500, 'internal');
      assert.doesNotMatch(JSON.stringify(response.body), /PostgreSQL|byte sequence/);
    } finally {
      await failing.close();
    }
  });
});

describe('list endpoints are paginated with limit and cursor', () => {
  it('pages tokens and follows the cursor to the end', async () => {
    for (let index = 0; index < 5; index += 1) await cp.token('viewer', undefined, `paged-${index}`);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages += 1) {
      const response = await cp.request(`/v1/tokens?limit=2${cursor === undefined ? '' : `&cursor=${cursor}`}`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.ok(response.body.tokens.length <= 2);
      seen.push(...response.body.tokens.map((token: { id: string }) => token.id));
      cursor = response.body.nextCursor ?? undefined;
      if (cursor === undefined) break;
    }
    const all = (await cp.request('/v1/tokens')).body.tokens.map((token: { id: string }) => token.id);
    assert.deepEqual(seen, all);
    assert.ok(all.length >= 5);
  });

  it('refuses a page over the maximum and a cursor it did not issue', async () => {
    for (const path of ['/v1/rules', '/v1/tokens', '/v1/approvals', '/v1/runs', '/v1/enforcers', '/v1/drafts']) {
      assertProblem(await cp.request(`${path}?limit=100000`), 400, 'invalid_request');
      assertProblem(await cp.request(`${path}?limit=0`), 400, 'invalid_request');
      assertProblem(await cp.request(`${path}?cursor=%00%01`), 400, 'invalid_request');
    }
  });

  it('keeps a page of approvals with large arguments under the byte budget', async () => {
    const enforcer = await cp.token('enforcer', 'big-args');
    const args = { blob: 'z'.repeat(900_000) };
    for (let index = 0; index < 6; index += 1) {
      const created = await cp.request('/v1/approvals', {
        token: enforcer,
        body: { tenant: 'big-args', tool: `tool-${index}`, args },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    let total = 0;
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages += 1) {
      const response = await rawRequest(cp.url, {
        path: `/v1/approvals?status=pending${cursor === undefined ? '' : `&cursor=${cursor}`}`,
      });
      assert.equal(response.status, 200);
      assert.ok(JSON.stringify(response.body).length < 5 * 1024 * 1024, 'a page stays under the byte budget');
      total += response.body.approvals.filter((approval: any) => approval.call.tenant === 'big-args').length;
      cursor = response.body.nextCursor ?? undefined;
      if (cursor === undefined) break;
    }
    assert.equal(total, 6);
  });
});
