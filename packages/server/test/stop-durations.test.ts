import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadServerConfig } from '../src/index.js';
import { startTestControlPlane, type TestControlPlane } from './harness.js';

const DAY_MS = 86_400_000;

describe('a stop never silently ends: every duration names its unit and is bounded', () => {
  let cp: TestControlPlane;
  before(async () => {
    cp = await startTestControlPlane();
  });
  after(() => cp.close());

  const stop = (extra: Record<string, unknown>) =>
    cp.request('/v1/rules', { body: { scope: { tenant: 'acme' }, reason: 'duplicate emails', ...extra } });

  it('expiresIn "30" or 30 is refused with 400, asking "30 what?"', async () => {
    for (const expiresIn of ['30', 30, ' 30 ']) {
      const response = await stop({ expiresIn });
      assert.equal(response.status, 400, JSON.stringify(expiresIn));
      assert.equal(response.type, 'application/problem+json');
      assert.equal(response.body.code, 'invalid_request');
      assert.equal(response.body.detail, 'body: expiresIn: 30 what? write 30s, 30m or 30h');
    }
    assert.deepEqual((await cp.request('/v1/rules')).body.rules, []);
  });

  it('expiresIn "30m" expires 30 minutes after the rule was made', async () => {
    const response = await stop({ expiresIn: '30m' });
    assert.equal(response.status, 201);
    const { createdAt, expiresAt } = response.body.rule;
    assert.equal(Date.parse(expiresAt) - Date.parse(createdAt), 30 * 60_000);
  });

  it('an expiry up to 366 days is taken; longer or absurd ones are 400, never 500', async () => {
    assert.equal((await stop({ expiresIn: '366d' })).status, 201);
    for (const expiresIn of ['367d', '8785h', `${'9'.repeat(30)}d`, `${'9'.repeat(400)}ms`, 1e300]) {
      const response = await stop({ expiresIn });
      assert.equal(response.status, 400, String(expiresIn));
      assert.equal(response.body.code, 'invalid_request');
    }
    for (const expiresAt of [new Date(Date.now() + 367 * DAY_MS).toISOString(), '9999-12-31T23:59:59Z']) {
      const response = await stop({ expiresAt });
      assert.equal(response.status, 400, expiresAt);
      assert.equal(response.body.code, 'invalid_request');
    }
  });
});

describe('durations in the configuration file need a unit too', () => {
  async function file(text: string): Promise<string> {
    const path = join(await mkdtemp(join(tmpdir(), 'estop-durations-')), 'estop.yaml');
    await writeFile(path, text);
    return path;
  }

  it('refuses a bare number for a sentinel window or expiry and for restore timings, asking what it means', async () => {
    for (const [text, field] of [
      ['sentinel: [{name: a, signal: writes, threshold: 5, window: 60}]', /window: 60 what\? write 60s, 60m or 60h/],
      ['sentinel: [{name: a, signal: writes, threshold: 5, window: 1m, expires: "30"}]', /expires: 30 what\?/],
      ['restore:\n  cooldown: 5\n', /cooldown: 5 what\?/],
      ['restore:\n  request_ttl: "90"\n', /request_ttl: 90 what\?/],
    ] as const) {
      await assert.rejects(loadServerConfig({ config: await file(text) }, {}), field, text);
    }
  });
});
