import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallDeniedError, RunStoppedError, type Guard, type Run } from '../src/index.js';
import type { FakeControlPlane } from './fake-control-plane.js';
import { useSyncedGuard } from './test-guard.js';
import { waitFor } from './wait-for.js';

/** A tool function that runs until its signal aborts, and says when it has started. */
function blockingTool(): {
  started: Promise<void>;
  aborted: () => boolean;
  fn: (args: unknown, context: { signal: AbortSignal }) => Promise<string>;
} {
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  let wasAborted = false;
  return {
    started,
    aborted: () => wasAborted,
    fn: (_args, { signal }) =>
      new Promise<string>((_resolve, reject) => {
        markStarted();
        signal.addEventListener('abort', () => {
          wasAborted = true;
          reject(signal.reason as Error);
        });
      }),
  };
}

function stopReasonOf(error: unknown): string | undefined {
  return error instanceof RunStoppedError ? error.stopReason : undefined;
}

describe('a rule stopping the run aborts its signal, its calls in flight, and every later call', () => {
  let fake: FakeControlPlane;
  let guard: Guard;
  const caughtUp = (): Promise<void> => waitFor('the guard to catch up', () => guard.version === fake.version);

  useSyncedGuard((started) => ({ fake, guard } = started));

  it('a run-scoped full_stop stops the run with killed:<ruleId> and aborts the fn in flight', async () => {
    const run = guard.startRun({ tenant: 'acme', agent: 'mailer' });
    const tool = blockingTool();
    const call = run.tool('email.send', { to: 'a@b' }, tool.fn, { effect: 'write' });
    await tool.started;
    const rule = fake.flip({ run: run.id }, 'full_stop');
    await assert.rejects(call, (error) => stopReasonOf(error) === `killed:${rule.id}`);
    assert.ok(tool.aborted());
    assert.ok(run.signal.aborted);
    assert.equal(run.status, 'stopped');
    assert.equal(run.stopReason, `killed:${rule.id}`);
    assert.throws(() => run.check(), RunStoppedError);
    let called = false;
    await assert.rejects(
      run.tool('crm.lookup', {}, () => (called = true), { effect: 'read' }),
      RunStoppedError,
    );
    assert.equal(called, false);
    await waitFor('the end to reach the control plane', () =>
      fake.runEnds.some((end) => end.run === run.id && end.stopReason === `killed:${rule.id}`),
    );
    fake.lift(rule.id);
    await caughtUp();
  });

  it('a tenant full_stop stops every run of the tenant and leaves other tenants running', async () => {
    const acme = guard.startRun({ tenant: 'acme' });
    const globex = guard.startRun({ tenant: 'globex' });
    const rule = fake.flip({ tenant: 'acme' }, 'full_stop');
    await caughtUp();
    assert.equal(acme.stopReason, `killed:${rule.id}`);
    assert.equal(globex.status, 'running');
    // A run started while the stop is on is stopped from the start.
    const late = guard.startRun({ tenant: 'acme' });
    assert.throws(
      () => late.check(),
      (error) => stopReasonOf(error) === `killed:${rule.id}`,
    );
    fake.lift(rule.id);
    await caughtUp();
    await globex.end();
  });

  it('a full_stop naming a tool refuses that tool only and leaves the run running', async () => {
    const run = guard.startRun({ tenant: 'acme' });
    const rule = fake.flip({ run: run.id, tool: 'email.send' }, 'full_stop');
    await caughtUp();
    let called = false;
    await assert.rejects(
      run.tool('email.send', {}, () => (called = true)),
      (error) => error instanceof CallDeniedError && error.decision.ruleId === rule.id,
    );
    assert.equal(called, false);
    assert.equal(run.status, 'running');
    assert.equal(await run.tool('crm.lookup', 7, (value) => value * 2, { effect: 'read' }), 14);
    fake.lift(rule.id);
    await caughtUp();
    await run.end();
  });

  it('a rule with cancelInFlight aborts the calls it refuses, not the run', async () => {
    const run = guard.startRun({ tenant: 'acme' });
    const write = blockingTool();
    const writing = run.tool('email.send', {}, write.fn, { effect: 'write' });
    let readSignal: AbortSignal | undefined;
    let finishRead: () => void = () => {};
    const reading = run.tool(
      'crm.lookup',
      {},
      (_args, { signal }) =>
        new Promise<void>((resolve) => {
          readSignal = signal;
          finishRead = resolve;
        }),
      { effect: 'read' },
    );
    await write.started;
    await waitFor('the read to start', () => readSignal !== undefined);
    const rule = fake.flip({ tenant: 'acme' }, 'read_only', { cancelInFlight: true });
    await assert.rejects(writing, (error) => error instanceof CallDeniedError && error.decision.ruleId === rule.id);
    assert.equal(readSignal?.aborted, false);
    assert.equal(run.status, 'running');
    finishRead();
    await reading;
    fake.lift(rule.id);
    await caughtUp();
    await run.end();
  });

  it('end() stops the run with ended and reports it', async () => {
    const run = guard.startRun({ tenant: 'acme', id: 'run-ended-1' });
    await run.end();
    assert.equal(run.status, 'ended');
    assert.equal(run.stopReason, 'ended');
    assert.ok(run.signal.aborted);
    assert.throws(
      () => run.check(),
      (error) => stopReasonOf(error) === 'ended',
    );
    assert.ok(fake.runStarts.some((start) => start.id === 'run-ended-1' && start.enforcer === guard.id));
    assert.ok(fake.runEnds.some((end) => end.run === 'run-ended-1' && end.stopReason === 'ended'));
  });

  it('a run the control plane has forgotten registers again and keeps reporting', async () => {
    const run = guard.startRun({ tenant: 'acme', heartbeatMs: 20 });
    await waitFor('the run to register', () => fake.runStarts.some((start) => start.id === run.id));
    fake.forgetRuns();
    await waitFor('the run to register again', () => fake.runStarts.some((start) => start.id === run.id));
    const heartbeats = fake.runHeartbeats.length;
    await waitFor('heartbeats to resume', () => fake.runHeartbeats.length > heartbeats);
    await run.end();
    assert.ok(fake.runEnds.some((end) => end.run === run.id));
  });

  it('heartbeats list the calls in flight', async () => {
    const run = guard.startRun({ tenant: 'acme', heartbeatMs: 50 });
    const tool = blockingTool();
    const call = run.tool('browser.open', {}, tool.fn, { effect: 'read' });
    await tool.started;
    await waitFor('a heartbeat naming the call', () =>
      fake.runHeartbeats.some(
        (heartbeat) => heartbeat.run === run.id && heartbeat.inFlight.some((entry) => entry.tool === 'browser.open'),
      ),
    );
    assert.equal(guard.inFlight, 1);
    await run.end();
    await assert.rejects(call, RunStoppedError);
    assert.equal(guard.inFlight, 0);
  });
});

describe('a run stops at its time limits', () => {
  let fake: FakeControlPlane;
  let guard: Guard;

  useSyncedGuard((started) => ({ fake, guard } = started));

  async function stoppedRun(run: Run): Promise<void> {
    await waitFor('the run to stop', () => run.status === 'stopped');
  }

  it('stops with timeout after maxDurationMs, aborting the fn in flight', async () => {
    const run = guard.startRun({ tenant: 'acme', maxDurationMs: 30 });
    const tool = blockingTool();
    const call = assert.rejects(
      run.tool('slow.tool', {}, tool.fn, { effect: 'read' }),
      (error) => stopReasonOf(error) === 'timeout',
    );
    await stoppedRun(run);
    assert.equal(run.stopReason, 'timeout');
    await call;
    assert.ok(tool.aborted());
  });

  it('an end the control plane refused is sent again once it answers, and end() never rejects', async () => {
    fake.refuseWith(401);
    const run = guard.startRun({ tenant: 'acme', heartbeatMs: 20 });
    await run.end();
    assert.equal(run.status, 'ended');
    assert.ok(!fake.runEnds.some((end) => end.run === run.id));
    fake.refuseWith(undefined);
    await waitFor('the end to be sent again', () => fake.runEnds.some((end) => end.run === run.id));
  });

  it('stops with budget_exceeded:max_seconds after maxSeconds', async () => {
    const run = guard.startRun({ tenant: 'acme', budgets: { maxSeconds: 0.03 } });
    await stoppedRun(run);
    assert.equal(run.stopReason, 'budget_exceeded:max_seconds');
    await waitFor('the end to reach the control plane', () =>
      fake.runEnds.some((end) => end.run === run.id && end.stopReason === 'budget_exceeded:max_seconds'),
    );
  });
});
