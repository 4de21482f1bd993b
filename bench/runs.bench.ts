// Runs: how fast a kill reaches a tool call in flight in another process, and what a budgeted
// decision costs.
//
// kill_to_abort: `POST /v1/runs/:id/kill` through the HTTP API of a control plane in its own
// process, timed from just before the request until the tool function of that run, in a third
// process, sees its signal abort. decision_with_budget: `guard.decide` plus reserving and
// committing a tool call and its cost, timed in batches (one call is shorter than a clock read);
// run_tool: the whole of `run.tool` around a function that does nothing, awaited one at a time.
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RunBudget, type Call } from '@estop/core';
import { createGuard } from '@estop/sdk';
import { adminRequest, childEnv, messageFrom, startControlPlaneProcess, stopProcess } from './control-plane-process.js';
import { atMost, percentile } from './stats.js';

const KILLS = Number(process.env.BENCH_KILLS ?? 50);
const BATCH = 1_000;
const BATCHES = 2_000;
const TOOL_CALLS = 20_000;

async function killToAbort(url: string, token: string): Promise<number[]> {
  const worker = fork(fileURLToPath(new URL('./runs-worker.ts', import.meta.url)), [url, token], {
    execArgv: ['--conditions=source', '--import', 'tsx'],
    env: childEnv(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await messageFrom(worker, (received) => received.ready === true);
  const samples: number[] = [];
  for (let round = 0; round < KILLS; round++) {
    const started = messageFrom(worker, (received) => received.started === round);
    worker.send({ start: round });
    const { runId } = await started;
    const aborted = messageFrom(worker, (received) => received.aborted === round);
    const start = performance.timeOrigin + performance.now();
    await adminRequest(url, `/v1/runs/${runId}/kill`, { reason: 'bench' });
    samples.push((await aborted).at - start);
  }
  worker.send({ close: true });
  await new Promise((resolve) => worker.once('exit', resolve));
  return samples;
}

async function budgetedDecisions(url: string, token: string): Promise<{ decision: number[]; tool: number[] }> {
  const guard = createGuard({
    url,
    token,
    name: 'bench-budget',
    staleAfterMs: 60_000,
    breakGlass: {},
    onError: () => {},
  });
  await guard.ready();
  const call: Call = { tenant: 'bench-budget', agent: 'agent', run: 'run-1', tool: 'model.call', effect: 'read' };
  const budget = new RunBudget({ maxUsd: 1e12, maxToolCalls: Number.MAX_SAFE_INTEGER });
  const decision: number[] = [];
  let denied = 0;
  for (let batch = 0; batch < BATCHES; batch++) {
    const start = performance.now();
    for (let index = 0; index < BATCH; index++) {
      if (guard.decide(call).outcome !== 'allow') denied++;
      const reservation = budget.reserve({ usd: 0.0001 });
      if (typeof reservation === 'string') denied++;
      else budget.commit(reservation);
    }
    decision.push(((performance.now() - start) * 1e6) / BATCH);
  }
  if (denied > 0) throw new Error(`${denied} budgeted decisions were refused`);

  const run = guard.startRun({ tenant: 'bench-budget', heartbeatMs: 60_000, budgets: { maxUsd: 1e9 } });
  const tool: number[] = [];
  const nothing = () => undefined;
  for (let index = 0; index < TOOL_CALLS; index++) {
    const start = performance.now();
    await run.tool('model.call', undefined, nothing, { effect: 'read', estimatedUsd: 0.0001 });
    tool.push((performance.now() - start) * 1e6);
  }
  await run.end();
  await guard.close();
  return { decision, tool };
}

export async function run(): Promise<Record<string, unknown>> {
  const server = await startControlPlaneProcess();
  try {
    const { token } = await adminRequest(server.url, '/v1/tokens', { name: 'bench-runs', role: 'enforcer' });
    const kills = await killToAbort(server.url, token as string);
    const { decision, tool } = await budgetedDecisions(server.url, token as string);
    const round = (value: number) => Math.round(value * 100) / 100;
    const p50 = percentile(kills, 50);
    const p99 = percentile(kills, 99);
    return {
      kills: KILLS,
      kill_to_abort_p50_ms: round(p50),
      kill_to_abort_p99_ms: round(p99),
      kill_to_abort_max_ms: round(Math.max(...kills)),
      decision_with_budget_p50_ns: round(percentile(decision, 50)),
      decision_with_budget_p99_ns: round(percentile(decision, 99)),
      run_tool_p50_ns: Math.round(percentile(tool, 50)),
      // The same targets as a flip reaching every guard (propagation): a kill takes that path.
      goals: { kill_to_abort_p50_ms: atMost(p50, 20, ' ms'), kill_to_abort_p99_ms: atMost(p99, 100, ' ms') },
    };
  } finally {
    await stopProcess(server.child);
  }
}
