import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli, startServerProcess, startWorker, type ServerProcess, type WorkerProcess } from './processes.js';

async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a stop flipped with the CLI is enforced by guards in another process', () => {
  let server: ServerProcess;
  let worker: WorkerProcess;
  let admin: Record<string, string>;

  before(async () => {
    server = await startServerProcess();
    admin = { ESTOP_URL: server.url, ESTOP_TOKEN: server.adminToken };
    const created = await runCli(['tokens', 'create', '--role', 'enforcer', '--name', 'e2e-workers', '--json'], admin);
    assert.equal(created.code, 0, created.stderr);
    const enforcerToken = JSON.parse(created.stdout).token as string;
    worker = await startWorker({ ESTOP_URL: server.url, ESTOP_TOKEN: enforcerToken, GUARDS: '2' });
  });
  after(async () => {
    await worker?.close();
    await server?.stop();
  });

  const send = { tenant: 'acme', agent: 'mailer', tool: 'email.send' };
  const search = { tenant: 'acme', agent: 'mailer', tool: 'search.read' };
  const otherTenant = { tenant: 'globex', agent: 'mailer', tool: 'email.send' };

  it('allows everything before any stop', async () => {
    const decisions = await worker.ask({ decide: send });
    assert.deepEqual(
      decisions.map((decision: any) => decision.outcome),
      ['allow', 'allow'],
    );
  });

  let ruleId = '';
  it('kill reports enforcement on every guard, and writes are denied', async () => {
    const kill = await runCli(
      ['kill', '--tenant', 'acme', '--mode', 'read_only', '--reason', 'duplicate emails', '--wait', '5s', '--json'],
      admin,
    );
    assert.equal(kill.code, 0, kill.stderr);
    const result = JSON.parse(kill.stdout);
    ruleId = result.rule.id;
    assert.equal(result.enforcement.total, 2);
    assert.equal(result.enforcement.acknowledged, 2);
    assert.equal(typeof result.enforcement.ms, 'number');

    const decisions = await worker.ask({ decide: send });
    for (const decision of decisions) {
      assert.equal(decision.outcome, 'deny');
      assert.equal(decision.mode, 'read_only');
      assert.equal(decision.ruleId, ruleId);
      assert.equal(decision.reason, 'duplicate emails');
    }
  });

  it('leaves other tenants alone and lets reads through read_only', async () => {
    assert.deepEqual(
      (await worker.ask({ decide: otherTenant })).map((decision: any) => decision.outcome),
      ['allow', 'allow'],
    );
    assert.deepEqual(
      (await worker.ask({ decide: search })).map((decision: any) => decision.outcome),
      ['allow', 'allow'],
    );
  });

  it('verify exits 0 when every enforcer applied the current version', async () => {
    const verify = await runCli(['verify', '--timeout', '5s'], admin);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  it('status lists the rule and both enforcers', async () => {
    const status = await runCli(['status', '--json'], admin);
    assert.equal(status.code, 0, status.stderr);
    const text = status.stdout;
    assert.match(text, new RegExp(ruleId));
  });

  it('restore lets calls through again', async () => {
    const restore = await runCli(['restore', ruleId, '--reason', 'prompt fixed'], admin);
    assert.equal(restore.code, 0, restore.stderr);
    await eventually(async () =>
      (await worker.ask({ decide: send })).every((decision: any) => decision.outcome === 'allow'),
    );
  });

  it('an operator cannot restore, and says so clearly', async () => {
    const created = await runCli(['tokens', 'create', '--role', 'operator', '--name', 'oncall', '--json'], admin);
    const operator = { ESTOP_URL: server.url, ESTOP_TOKEN: JSON.parse(created.stdout).token as string };
    const kill = await runCli(['kill', '--tenant', 'acme', '--mode', 'full_stop', '--reason', 'x', '--json'], operator);
    assert.equal(kill.code, 0, kill.stderr);
    const restore = await runCli(['restore', JSON.parse(kill.stdout).rule.id, '--reason', 'y'], operator);
    assert.equal(restore.code, 1);
    assert.match(restore.stderr, /admin/);
  });

  it('the audit chain verifies and lists who did what', async () => {
    const verify = await runCli(['audit', 'verify'], admin);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    const list = await runCli(['audit', 'list', '--json'], admin);
    assert.match(list.stdout, /duplicate emails/);
    assert.match(list.stdout, /prompt fixed/);
  });
});

describe('a stop that returned success survives kill -9 of the server', () => {
  it('keeps the rule and an intact audit chain across SIGKILL and restart', async () => {
    const first = await startServerProcess();
    const env = { ESTOP_URL: first.url, ESTOP_TOKEN: first.adminToken };
    const kill = await runCli(
      ['kill', '--global', '--mode', 'full_stop', '--reason', 'durability', '--wait', '0', '--json'],
      env,
    );
    assert.equal(kill.code, 0, kill.stderr);
    const ruleId = JSON.parse(kill.stdout).rule.id as string;
    await first.stop('SIGKILL');

    const second = await startServerProcess({ data: first.data });
    try {
      const again = { ESTOP_URL: second.url, ESTOP_TOKEN: second.adminToken };
      assert.equal(second.adminToken, first.adminToken);
      const status = await runCli(['status', '--json'], again);
      assert.match(status.stdout, new RegExp(ruleId));
      assert.equal((await runCli(['audit', 'verify'], again)).code, 0);
    } finally {
      await second.stop();
    }
  });
});

describe('a guard that cannot hear the control plane fails safe', () => {
  it('denies writes once stale and recovers when the control plane is back', async () => {
    const config = join(await mkdtemp(join(tmpdir(), 'estop-config-')), 'estop.yaml');
    await writeFile(config, 'server:\n  keepalive_ms: 100\n');
    const live = await startServerProcess({ args: ['--config', config] });
    const env = { ESTOP_URL: live.url, ESTOP_TOKEN: live.adminToken };
    const token = JSON.parse(
      (await runCli(['tokens', 'create', '--role', 'enforcer', '--name', 'w', '--json'], env)).stdout,
    ).token;
    const worker = await startWorker({ ESTOP_URL: live.url, ESTOP_TOKEN: token, GUARDS: '1', STALE_AFTER_MS: '1000' });
    const call = { tenant: 'acme', tool: 'email.send' };
    const outcome = async () => ((await worker.ask({ decide: call })) as { outcome: string; source?: string }[])[0];
    try {
      assert.equal((await outcome())?.outcome, 'allow');
      live.child.kill('SIGSTOP'); // the control plane goes silent: no keep-alives
      const stale = await eventually(async () => {
        const decision = await outcome();
        return decision?.outcome === 'deny' ? decision : undefined;
      });
      assert.equal(stale?.source, 'stale');
      const [read] = await worker.ask({ decide: { tenant: 'acme', tool: 'search.read' } });
      assert.equal(read.outcome, 'allow', 'reads still pass the read_only fail mode');
      live.child.kill('SIGCONT');
      await eventually(async () => (await outcome())?.outcome === 'allow');
    } finally {
      live.child.kill('SIGCONT');
      await worker.close();
      await live.stop();
    }
  });
});

describe('estop serve refuses a bad configuration with a clear error', () => {
  it('names the missing config file', async () => {
    await assert.rejects(startServerProcess({ args: ['--config', '/nonexistent/estop.yaml'] }), /estop\.yaml/);
  });
});

describe('npx estop works from the repository root after install and build', () => {
  it('runs the linked estop command', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const result = spawnSync(join(root, 'node_modules/.bin/estop'), ['--help'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /usage: estop <command>/);
  });
});
