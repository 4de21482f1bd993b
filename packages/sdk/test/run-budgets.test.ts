import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EstopError, RunStoppedError, type Guard } from '../src/index.js';
import type { FakeControlPlane } from './fake-control-plane.js';
import { useSyncedGuard } from './test-guard.js';
import { waitFor } from './wait-for.js';

function stopReasonOf(error: unknown): string | undefined {
  return error instanceof RunStoppedError ? error.stopReason : undefined;
}

describe('budgets are hard: calls started in parallel can never exceed them', () => {
  let fake: FakeControlPlane;
  let guard: Guard;

  useSyncedGuard((started) => ({ fake, guard } = started));

  it('N concurrent tool calls with estimatedUsd never spend more than maxUsd', async () => {
    const run = guard.startRun({ tenant: 'acme', budgets: { maxUsd: 1 } });
    let running = 0;
    let called = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls = Array.from({ length: 50 }, (_, index) =>
      run.tool(
        'model.call',
        index,
        async () => {
          running += 1;
          called += 1;
          await gate;
          running -= 1;
          return index;
        },
        { effect: 'read', estimatedUsd: 0.1 },
      ),
    );
    const settled = Promise.allSettled(calls);
    await waitFor('the admitted calls to start', () => running === 10);
    release();
    const results = await settled;
    assert.equal(called, 10);
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 10);
    const refused = results.filter((result) => result.status === 'rejected');
    assert.ok(refused.every((result) => stopReasonOf(result.reason) === 'budget_exceeded:max_usd'));
    assert.equal(run.stopReason, 'budget_exceeded:max_usd');
    assert.ok(run.usage().spentUsd <= 1);
    await waitFor('the budget stop to reach the control plane', () =>
      fake.runEnds.some((end) => end.run === run.id && end.stopReason === 'budget_exceeded:max_usd'),
    );
  });

  it('the actual cost a call reports replaces its estimate, and charge() past maxUsd stops the run', async () => {
    const run = guard.startRun({ tenant: 'acme', budgets: { maxUsd: 1 } });
    await run.tool('model.call', {}, (_args, { reportCost }) => reportCost(0.25), { estimatedUsd: 0.5 });
    assert.equal(run.usage().spentUsd, 0.25);
    run.charge(0.5);
    assert.equal(run.status, 'running');
    run.charge(0.5);
    assert.equal(run.stopReason, 'budget_exceeded:max_usd');
    assert.ok(run.signal.aborted);
  });

  it('the tool call past maxToolCalls is refused and stops the run', async () => {
    const run = guard.startRun({ tenant: 'acme', budgets: { maxToolCalls: 2 } });
    let called = 0;
    const count = () => (called += 1);
    await run.tool('a', {}, count, { effect: 'read' });
    await run.tool('b', {}, count, { effect: 'read' });
    await assert.rejects(
      run.tool('c', {}, count, { effect: 'read' }),
      (error) => stopReasonOf(error) === 'budget_exceeded:max_tool_calls',
    );
    assert.equal(called, 2);
    assert.equal(run.status, 'stopped');
  });

  it('the step past maxSteps stops the run and throws', () => {
    const run = guard.startRun({ tenant: 'acme', budgets: { maxSteps: 2 } });
    run.step();
    run.step();
    assert.throws(
      () => run.step(),
      (error) => stopReasonOf(error) === 'budget_exceeded:max_steps',
    );
    assert.equal(run.stopReason, 'budget_exceeded:max_steps');
  });

  it('bad options are refused at startRun, never later', () => {
    assert.throws(
      () => guard.startRun({ tenant: 'acme', budgets: { maxUsd: -1 } }),
      (error) => error instanceof EstopError && error.code === 'config_invalid',
    );
    assert.throws(() => guard.startRun({ tenant: '' }), EstopError);
    assert.throws(() => guard.startRun({ tenant: 'acme', id: 'has space' }), EstopError);
  });
});
