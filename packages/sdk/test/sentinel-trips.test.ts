import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CallDeniedError, RunStoppedError } from '../src/index.js';
import { startRealControlPlane, type RealControlPlane } from './real-control-plane.js';
import { waitFor } from './wait-for.js';

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
    await control.lift(ruleId);
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
});
