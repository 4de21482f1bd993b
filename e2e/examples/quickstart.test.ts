import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore } from '@estop/core';
import { createControlPlane, type ControlPlane } from '@estop/server';

const ADMIN_TOKEN = 'estop_quickstart-admin';
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs examples/quickstart/main.ts as the README says, from its TypeScript source, to its end. */
function runQuickstart(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnvironment: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnvironment.NODE_OPTIONS;
  delete childEnvironment.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'examples/quickstart/main.ts'], {
      cwd: root,
      env: childEnvironment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('the quick start example prints its decision and exits', () => {
  let plane: ControlPlane;
  let url: string;
  let guardToken: string;
  const post = async (path: string, body: unknown): Promise<any> => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 201);
    return response.json();
  };

  before(async () => {
    const store = createMemoryStore({ sha256: (text) => createHash('sha256').update(text).digest('hex') });
    plane = await createControlPlane({ store, adminToken: ADMIN_TOKEN });
    url = await plane.listen({ port: 0 });
    guardToken = (await post('/v1/tokens', { role: 'enforcer', name: 'quickstart' })).token as string;
  });
  after(async () => {
    await plane?.close();
  });

  it('says allowed and exits 0 while nothing stops acme', async () => {
    const result = await runQuickstart({ ESTOP_URL: url, ESTOP_GUARD_TOKEN: guardToken });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'allowed: email.send for acme\n');
  });

  it('says stopped, with the reason, and exits 1 once acme is read_only', async () => {
    await post('/v1/rules', { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'duplicate emails' });
    const result = await runQuickstart({ ESTOP_URL: url, ESTOP_GUARD_TOKEN: guardToken });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^stopped: .*duplicate emails/);
  });
});
