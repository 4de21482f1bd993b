import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CallDeniedError, RunStoppedError } from '@estop/sdk';
import { startRealControlPlane, type RealControlPlane } from './real-control-plane.js';
import { waitFor } from '../../packages/sdk/test/wait-for.js';

describe('a sentinel stops a misbehaving agent on its own, through the SDK', () => {
  let control: RealControlPlane;
  before(async () => {
    control = await startRealControlPlane({
      sentinels: [
        { name: 'loop', signal: 'duplicates', per: 'run', threshold: 3, windowMs: 60_000, mode: 'full_stop' },
        {
          name: 'ticket-flood',
          signal: 'writes',
          tool: 'ticket.*',
          per: 'tenant',
          threshold: 5,
          windowMs: 60_000,
          mode: 'read_only',
        },
        { name: 'big-spender', signal: 'spend', per: 'tenant', threshold: 1, windowMs: 3_600_000, mode: 'full_stop' },
      ],
    });
  });
  after(() => control.close());

  it('a run sending the same email over and over sends it once, then the sentinel stops the run', async () => {
    const run = control.guard.startRun({ tenant: 'acme', agent: 'mailer' });
    let sent = 0;
    let stopped: RunStoppedError | undefined;
    for (let attempt = 0; attempt < 200 && stopped === undefined; attempt++) {
      try {
        await run.tool('email.send', { to: 'ceo@example.com', subject: 'Q3' }, () => ++sent, { effect: 'write' });
      } catch (error) {
        if (!(error instanceof RunStoppedError)) throw error;
        stopped = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok(stopped, 'the run was stopped');
    assert.equal(sent, 1);
    const ruleId = stopped.stopReason.replace('killed:', '');
    const rule = (await control.activeRules()).find((candidate) => candidate.id === ruleId);
    assert.deepEqual(rule?.actor, { id: 'sentinel:loop', kind: 'system' });
    assert.deepEqual(rule?.scope, { tenant: 'acme', run: run.id });
    await run.end();
    // The loop's window still holds its threshold: the trip stays unless the lift is forced.
    await assert.rejects(control.lift(ruleId), /cause_continues/);
    await control.lift(ruleId, { force: true });
  });

  it("a flood of distinct tickets trips read_only on the tenant's ticket tools: later writes are refused, other tools run", async () => {
    const run = control.guard.startRun({ tenant: 'globex', agent: 'support' });
    let created = 0;
    for (let index = 0; index < 5; index++) {
      await run.tool('ticket.create', { title: `ticket ${index}` }, () => ++created, { effect: 'write' });
    }
    await waitFor('the sentinel rule to reach the guard', () => {
      const decision = control.guard.decide({ tenant: 'globex', tool: 'ticket.create', effect: 'write' });
      return decision.outcome === 'deny';
    });
    await assert.rejects(
      run.tool('ticket.create', { title: 'one more' }, () => ++created, { effect: 'write' }),
      (error: unknown) =>
        error instanceof CallDeniedError && /sentinel ticket-flood: 5 writes of ticket\.\*/.test(error.message),
    );
    assert.equal(created, 5);
    assert.equal(await run.tool('email.send', { to: 'ops@example.com' }, () => 'sent', { effect: 'write' }), 'sent');
    await run.end();
  });

  it("what a tenant's runs spend adds up across runs, and past the threshold the sentinel stops them all", async () => {
    const runs = [0, 1].map(() => control.guard.startRun({ tenant: 'spendy', agent: 'buyer', heartbeatMs: 50 }));
    for (const run of runs) run.charge(0.4);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const run of runs) assert.equal(run.status, 'running', 'under $1 in all, nothing trips');
    runs[0]?.charge(0.3);
    await waitFor('the sentinel to stop both runs', () => runs.every((run) => run.status !== 'running'));
    for (const run of runs) {
      assert.throws(() => run.check(), RunStoppedError);
      assert.match(run.stopReason ?? '', /^killed:r_/);
    }
    const rule = (await control.activeRules()).find((candidate) => candidate.actor.id === 'sentinel:big-spender');
    assert.deepEqual(rule?.scope, { tenant: 'spendy' });
    assert.match(rule?.reason ?? '', /^sentinel big-spender: \$1\.10 spent for tenant=spendy within 1h$/);
    for (const run of runs) await run.end();
    if (rule !== undefined) await control.lift(rule.id, { force: true });
  });
});
