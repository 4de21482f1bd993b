import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, startServerProcess, startWorker, type ServerProcess, type WorkerProcess } from './processes.js';

const drillCall = { tenant: 'estop-drill', agent: 'drill', tool: 'email.send' };

describe('estop drill runs the kill path end to end against real guards in another process', () => {
  let server: ServerProcess;
  let admin: Record<string, string>;
  let enforcerToken = '';

  before(async () => {
    server = await startServerProcess();
    admin = { ESTOP_URL: server.url, ESTOP_TOKEN: server.adminToken };
    const created = await runCli(
      ['tokens', 'create', '--role', 'enforcer', '--name', 'drill-workers', '--json'],
      admin,
    );
    assert.equal(created.code, 0, created.stderr);
    enforcerToken = JSON.parse(created.stdout).token as string;
  });
  after(() => server?.stop());

  it('fails without creating a rule when no enforcer is connected', async () => {
    const drill = await runCli(['drill'], admin);
    assert.equal(drill.code, 1);
    assert.match(drill.stdout, /drill FAILED: no enforcer is connected/);
    const rules = JSON.parse((await runCli(['status', '--json'], admin)).stdout);
    assert.equal(rules.rules.length, 0);
  });

  describe('with two guards connected', () => {
    let worker: WorkerProcess;
    before(async () => {
      worker = await startWorker({ ESTOP_URL: server.url, ESTOP_TOKEN: enforcerToken, GUARDS: '2' });
    });
    after(() => worker?.close());

    it('passes: the stop and the restore acknowledged by both, the chain intact, nothing left stopped', async () => {
      const drill = await runCli(['drill', '--json'], admin);
      assert.equal(drill.code, 0, drill.stdout + drill.stderr);
      const report = JSON.parse(drill.stdout);
      assert.equal(report.ok, true);
      assert.equal(report.scope, 'tenant=estop-drill');
      assert.equal(report.enforcers, 2);
      for (const step of [report.stop, report.restore]) {
        assert.equal(step.enforcement.acknowledged, 2);
        assert.equal(step.enforcement.total, 2);
        assert.equal(typeof step.enforcement.ms, 'number');
        assert.equal(typeof step.durableMs, 'number');
      }
      assert.equal(report.restore.version, report.stop.version + 1);
      assert.equal(report.audit.ok, true);

      const decisions = await worker.ask({ decide: drillCall });
      assert.deepEqual(
        decisions.map((decision: any) => decision.outcome),
        ['allow', 'allow'],
      );
      const status = JSON.parse((await runCli(['status', '--json'], admin)).stdout);
      assert.equal(status.rules.length, 0);
      const audit = JSON.parse((await runCli(['audit', 'list', '--json'], admin)).stdout);
      const actions = audit.entries
        .filter((entry: any) => entry.ruleId === report.ruleId)
        .map((entry: any) => entry.action);
      // The drill's result is on the record too (a failed one would be notified).
      assert.deepEqual(actions, ['rule-created', 'rule-lifted', 'drill-passed']);
    });

    it('prints each step with its times for a person', async () => {
      const drill = await runCli(['drill', '--tenant', 'acme-staging'], admin);
      assert.equal(drill.code, 0, drill.stdout + drill.stderr);
      assert.match(drill.stdout, /^drill on tenant=acme-staging \(read_only, rule r_\w+\)$/m);
      assert.match(drill.stdout, /^ {2}stop {5}version \d+, durable in \d+ ms; enforced on 2\/2 enforcers in \d+ ms$/m);
      assert.match(
        drill.stdout,
        /^ {2}restore {2}version \d+, durable in \d+ ms; enforced on 2\/2 enforcers in \d+ ms$/m,
      );
      assert.match(drill.stdout, /^drill passed: 2 enforcers$/m);
    });

    it('fails naming the guards that did not apply it when their process is frozen', async () => {
      worker.child.kill('SIGSTOP');
      try {
        const drill = await runCli(['drill', '--timeout', '500ms'], admin);
        assert.equal(drill.code, 1, drill.stdout);
        assert.match(drill.stdout, /drill FAILED: the stop: enforced on 0\/2 enforcers; not yet acknowledged: worker-/);
        assert.match(drill.stdout, /drill FAILED: the restore: enforced on 0\/2 enforcers/);
      } finally {
        worker.child.kill('SIGCONT');
      }
      const verify = await runCli(['verify', '--timeout', '5s'], admin);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    });

    it('an operator stops but cannot restore: the drill fails and its rule expires by itself', async () => {
      const created = await runCli(
        ['tokens', 'create', '--role', 'operator', '--name', 'drill-oncall', '--json'],
        admin,
      );
      const operator = { ESTOP_URL: server.url, ESTOP_TOKEN: JSON.parse(created.stdout).token as string };
      const drill = await runCli(['drill', '--json'], operator);
      assert.equal(drill.code, 1);
      const report = JSON.parse(drill.stdout);
      assert.equal(report.stop.enforcement.acknowledged, 2);
      assert.match(report.problems[0], /the restore failed .*expires by itself in 60s/);
      const status = JSON.parse((await runCli(['status', '--json'], admin)).stdout);
      const left = status.rules.find((rule: any) => rule.id === report.ruleId);
      assert.ok(left?.expiresAt, 'the drill rule carries an expiry');
      assert.ok(Date.parse(left.expiresAt) - Date.now() <= 60_000);
    });
  });
});
