import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { runCli, startServerProcess, startWorker } from './processes.js';

const base = process.env.ESTOP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const problem = await reachable();

if (problem === undefined) {
  describe('estop serve on PostgreSQL: a stop is enforced and survives kill -9', () => {
    const database = `estop_e2e_${randomBytes(4).toString('hex')}`;
    const url = new URL(base);
    url.pathname = `/${database}`;
    const adminToken = `estop_${randomBytes(16).toString('hex')}`;
    const args = ['--store', 'postgres', '--database-url', url.href];

    before(() => admin(`CREATE DATABASE ${database}`));
    after(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

    it('flips, enforces, and keeps the rule and the audit chain across SIGKILL and restart', async () => {
      const first = await startServerProcess({ args, adminToken });
      const env = { ESTOP_URL: first.url, ESTOP_TOKEN: adminToken };
      const created = await runCli(['tokens', 'create', '--role', 'enforcer', '--name', 'pg-workers', '--json'], env);
      assert.equal(created.code, 0, created.stderr);
      const worker = await startWorker({
        ESTOP_URL: first.url,
        ESTOP_TOKEN: JSON.parse(created.stdout).token,
        GUARDS: '1',
      });
      let ruleId: string;
      try {
        const kill = await runCli(['kill', '--tenant', 'acme', '--mode', 'full_stop', '--reason', 'pg', '--json'], env);
        assert.equal(kill.code, 0, kill.stderr);
        const result = JSON.parse(kill.stdout);
        ruleId = result.rule.id;
        assert.deepEqual([result.enforcement.acknowledged, result.enforcement.total], [1, 1]);
        const [decision] = await worker.ask({ decide: { tenant: 'acme', tool: 'search.read' } });
        assert.equal(decision.outcome, 'deny', 'full_stop refuses reads too');
      } finally {
        await worker.close();
        await first.stop('SIGKILL');
      }

      const second = await startServerProcess({ args, adminToken });
      try {
        const again = { ESTOP_URL: second.url, ESTOP_TOKEN: adminToken };
        const status = await runCli(['status', '--json'], again);
        assert.match(status.stdout, new RegExp(ruleId));
        const verify = await runCli(['audit', 'verify'], again);
        assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      } finally {
        await second.stop();
      }
    });
  });
} else if (process.env.CI === 'true') {
  it('PostgreSQL is reachable for the end-to-end PostgreSQL test', () => {
    assert.fail(`CI needs PostgreSQL at ${base}: ${problem}`);
  });
} else {
  it('estop serve on PostgreSQL', { skip: `PostgreSQL is not reachable at ${base} (${problem})` }, () => {});
}
