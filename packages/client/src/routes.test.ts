import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROUTES, pathTo } from './routes.js';

describe('a request path is built from the route table, with its parameters encoded', () => {
  it('fills each parameter and leaves out the query fields that are undefined', () => {
    assert.equal(pathTo(ROUTES.liftRule, { id: 'r_1' }), '/v1/rules/r_1/lift');
    assert.equal(pathTo(ROUTES.listRules), '/v1/rules');
    assert.equal(
      pathTo(ROUTES.enforcement, { version: 7 }, { wait: 5000, rule: undefined }),
      '/v1/versions/7/enforcement?wait=5000',
    );
    assert.equal(pathTo(ROUTES.listApprovals, {}, { status: 'pending' }), '/v1/approvals?status=pending');
  });

  it('encodes a parameter, so that an id cannot reach another route', () => {
    assert.equal(pathTo(ROUTES.revokeToken, { id: '../rules?x=1' }), '/v1/tokens/..%2Frules%3Fx%3D1');
    assert.equal(pathTo(ROUTES.listDrafts, {}, { tenant: 'a&b=c' }), '/v1/drafts?tenant=a%26b%3Dc');
  });

  it('refuses to build a path whose parameter is missing', () => {
    assert.throws(() => pathTo(ROUTES.killRun, {} as { id: string }), /needs its id/);
  });

  it('names every path once, each under /v1/', () => {
    const seen = new Set<string>();
    for (const route of Object.values(ROUTES)) {
      assert.match(route.path, /^\/v1\//);
      const key = `${route.method} ${route.path}`;
      assert.ok(!seen.has(key), `${key} is listed twice`);
      seen.add(key);
    }
  });
});
