import type { BudgetUsage, Effect, RunBudgets, StopReason } from '@estop/core';
import type { DraftedCall } from './drafted-call.js';

/** What `guard.startRun` takes. */
export interface RunOptions {
  tenant: string;
  agent?: string | undefined;
  /** The run's id, as rules (`--run`) and `estop runs` name it. Default: a random `run_…` id. */
  id?: string | undefined;
  /** Hard limits; the run stops with `budget_exceeded:<budget>` when one is reached. */
  budgets?: RunBudgets | undefined;
  /** After this long the run stops with `timeout`. Default 30 minutes. */
  maxDurationMs?: number | undefined;
  /** How often the run reports itself to the control plane, in milliseconds. Default 5000. */
  heartbeatMs?: number | undefined;
}

/** What `run.tool` takes besides the call itself. */
export interface ToolCallOptions {
  /** `read` or `write`; a tool of unknown effect is a write. */
  effect?: Effect | undefined;
  /** What the call will cost at most, in US dollars; reserved against `maxUsd` before it runs. */
  estimatedUsd?: number | undefined;
  /** The write's idempotency key; default, one derived from tenant, tool and arguments (see `guard.execute`). */
  idempotencyKey?: string | undefined;
  /** How long an `approval_gated` write waits for an operator. Default: the guard's `approvalTimeoutMs`. */
  approvalTimeoutMs?: number | undefined;
  /**
   * Aborts, besides the run's own signal, the waits before the call runs (for an approval,
   * for a duplicate's first result). Adapters pass the framework's abort signal here.
   */
  signal?: AbortSignal | undefined;
}

/** What a tool function receives besides its arguments. */
export interface ToolContext {
  /** Aborted when the run stops, or when a rule with `cancelInFlight` refuses this call. */
  readonly signal: AbortSignal;
  /** Sets what the call actually cost, in US dollars, in place of its estimate. */
  reportCost(usd: number): void;
}

/** Where a run is: `running`, `stopped` (by a rule, a budget or its time limit) or `ended` by the agent. */
export type RunState = 'running' | 'stopped' | 'ended';

/**
 * One agent session under a guard: its budgets, its stop signal and its tool calls.
 * Nothing here throws into the agent loop except `check()`, `step()` and `tool()`, which are
 * there to be asked.
 *
 * @example
 * const run = guard.startRun({ tenant: 'acme', agent: 'mailer', budgets: { maxUsd: 2 } });
 * try {
 *   while (!done) {
 *     run.step();
 *     await run.tool('email.send', message, (args, { signal }) => send(args, { signal }), { estimatedUsd: 0.01 });
 *   }
 * } finally {
 *   await run.end();
 * }
 */
export interface Run {
  readonly id: string;
  /** Aborted, with a RunStoppedError as its reason, as soon as the run stops. */
  readonly signal: AbortSignal;
  readonly status: RunState;
  /** Why the run stopped; undefined while it runs. */
  readonly stopReason: StopReason | undefined;
  /** Tool calls running now. */
  readonly inFlight: number;

  /** Throws a RunStoppedError once the run has stopped; does nothing while it runs. */
  check(): void;

  /**
   * Counts one step of the agent loop against `maxSteps`, then checks the run: call it once at
   * the top of each iteration. The step past the limit stops the run and throws.
   */
  step(): void;

  /**
   * Carries the call through `guard.execute`: when it may run, reserves a tool call and
   * `estimatedUsd` against the budgets, then calls `fn(args, context)` and returns its result.
   * A refused call throws a CallDeniedError without calling `fn`; under `draft_only` a write is
   * recorded and a DraftedCall returned instead (see `isDrafted`); under `approval_gated` it
   * waits for an operator, which the run stopping ends; a repeated write returns the first
   * call's result (as JSON) without calling `fn`. A stopped run, or a call past a budget,
   * throws a RunStoppedError.
   */
  tool<Args, Result>(
    name: string,
    args: Args,
    fn: (args: Args, context: ToolContext) => Result | Promise<Result>,
    options?: ToolCallOptions,
  ): Promise<Result | DraftedCall>;

  /** Records spend that no tool call reserved (a model call, say); past `maxUsd` the run stops. */
  charge(usd: number): void;

  /** What the run has used so far. */
  usage(): BudgetUsage;

  /**
   * Ends the run (stop reason `ended`, unless it had already stopped), aborting its signal.
   * Resolves once the control plane has been told, or told of the failure through `onError`;
   * never rejects.
   */
  end(): Promise<void>;
}
