import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { eventually, send, startPlane, startUpstream, type TestPlane, type TestUpstream } from './http-harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(root, 'packages/cli/src/bin.ts');

function estop(args: string[], env: Record<string, string>): ChildProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_OPTIONS;
  delete childEnv.NODE_TEST_CONTEXT;
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI, ...args], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('estop gateway --config serves the configured routes until it is told to stop', () => {
  let plane: TestPlane;
  let upstream: TestUpstream;
  let configFile: string;

  before(async () => {
    plane = await startPlane();
    upstream = await startUpstream();
    const directory = await mkdtemp(join(tmpdir(), 'estop-gateway-'));
    configFile = join(directory, 'gateway.yaml');
    await writeFile(
      configFile,
      [
        `control_plane: {url: "${plane.url}"}`,
        'listen: {host: 127.0.0.1, port: 7080}',
        'http:',
        '  routes:',
        `    email.send: {method: POST, upstream: "${upstream.url}/echo", headers: {Authorization: "Bearer \${MAIL_KEY}"}}`,
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await upstream.close();
    await plane.close();
  });

  /** The ids of the HTTP gateways the control plane lists. */
  async function listedGateways(): Promise<string[]> {
    const enforcers = await plane.api('/v1/enforcers');
    return (enforcers.body.enforcers as { id: string; kind: string; name: string }[])
      .filter((enforcer) => enforcer.kind === 'gateway' && enforcer.name.startsWith('gateway@'))
      .map((enforcer) => enforcer.id);
  }

  it('prints its URL, injects credentials from the environment, enforces rules and exits 0 on SIGTERM', async () => {
    const enforcer = await plane.token('enforcer', 'cli-gateway');
    const child = estop(['gateway', '--config', configFile, '--port', '0'], {
      ESTOP_TOKEN: enforcer,
      MAIL_KEY: 'k-123',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let gateways: string[] = [];
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
          const match = /^estop gateway on (\S+)$/.exec(line);
          if (match !== null) resolve(match[1] as string);
        });
        child.once('exit', (code) => reject(new Error(`estop gateway exited with ${code}: ${stderr}`)));
      });
      const agent = await plane.token('agent', 'cli-agent', 'acme');
      const allowed = await send(`${url}/tools/email.send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent}` },
      });
      assert.equal(allowed.status, 200);
      assert.equal(allowed.json.headers.authorization, 'Bearer k-123');

      await plane.rule({ scope: { tenant: 'acme' }, mode: 'read_only', reason: 'cli test' });
      const denied = await eventually(async () => {
        const answer = await send(`${url}/tools/email.send`, {
          method: 'POST',
          headers: { authorization: `Bearer ${agent}` },
        });
        return answer.status === 403 ? answer : undefined;
      });
      assert.equal(denied.json.mode, 'read_only');
      gateways = await listedGateways();
      assert.equal(gateways.length, 1);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exitCode(child), 0);
    // It deregistered as it shut down: no stale gateway is left in the list.
    assert.deepEqual(
      (await listedGateways()).filter((id) => gateways.includes(id)),
      [],
    );
  });

  it('refuses to start without ESTOP_TOKEN, with exit code 2', async () => {
    const child = estop(['gateway', '--config', configFile], { ESTOP_TOKEN: '', MAIL_KEY: 'k' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.equal(await exitCode(child), 2);
    assert.match(stderr, /ESTOP_TOKEN/);
  });

  it('names a config variable missing from the environment, with exit code 1', async () => {
    const child = estop(['gateway', '--config', configFile], { ESTOP_TOKEN: 'estop_x' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.equal(await exitCode(child), 1);
    assert.match(stderr, /environment variables not set: MAIL_KEY/);
  });

  it('names a port already in use, with exit code 1', async () => {
    const enforcer = await plane.token('enforcer', 'cli-gateway-port');
    const port = new URL(upstream.url).port;
    const child = estop(['gateway', '--config', configFile, '--port', port], { ESTOP_TOKEN: enforcer, MAIL_KEY: 'k' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.equal(await exitCode(child), 1);
    assert.match(stderr, new RegExp(`port ${port} is already in use`));
  });

  it('refuses to start when the control plane rejects its token, with exit code 1', async () => {
    const child = estop(['gateway', '--config', configFile, '--port', '0'], {
      ESTOP_TOKEN: 'estop_unknown',
      MAIL_KEY: 'k',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.equal(await exitCode(child), 1);
    assert.match(stderr, /rejected ESTOP_TOKEN/);
  });
});
