import {
  EstopError,
  RunBudget,
  budgetExceeded,
  killedBy,
  ruleCancellingCall,
  ruleStoppingRun,
  type BudgetName,
  type BudgetUsage,
  type Clock,
  type Effect,
  type Rule,
  type RunHeartbeat,
  type StopReason,
} from '@estop/core';
import type { ControlPlaneClient } from './control-plane-client.js';
import type { DraftedCall } from './drafted-call.js';
import type { Guard, GuardChange } from './guard.js';
import type { Run, RunOptions, RunState, ToolCallOptions, ToolContext } from './run.js';
import { checkRunOptions } from './run-options-check.js';
import { RunReporter } from './run-reporter.js';
import { CallDeniedError, RunStoppedError } from './run-stopped-error.js';

/** What a run needs from the guard it runs under. */
export interface RunHost extends Pick<Guard, 'decide' | 'execute'> {
  readonly enforcerId: string;
  readonly clock: Clock;
  readonly client: ControlPlaneClient;
  /** The active rules at the applied version. */
  rules(): readonly Rule[];
  onChange(listener: (change: GuardChange) => void): () => void;
  track<T>(work: Promise<T>): Promise<T>;
  report(error: EstopError): void;
  /** Called once the run is over and reported, so the guard can forget it. */
  finished(run: GuardedRun): void;
}

interface RunningCall {
  readonly tool: string;
  readonly effect: Effect;
  readonly startedAt: string;
  readonly controller: AbortController;
}

// setTimeout holds at most a 32-bit count of milliseconds.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A run under a guard: see `Run`. Created by `guard.startRun`. */
export class GuardedRun implements Run {
  readonly id: string;
  readonly #tenant: string;
  readonly #agent: string | undefined;
  readonly #host: RunHost;
  readonly #budget: RunBudget;
  readonly #controller = new AbortController();
  readonly #calls = new Set<RunningCall>();
  readonly #startedAtMs: number;
  readonly #reporter: RunReporter;
  readonly #timers: ReturnType<typeof setTimeout>[] = [];
  readonly #unsubscribe: () => void;
  #state: RunState = 'running';
  #stopReason: StopReason | undefined;
  #ending: Promise<void> | undefined;

  constructor(options: RunOptions, host: RunHost) {
    const checked = checkRunOptions(options);
    this.id = checked.id;
    this.#tenant = options.tenant;
    this.#agent = options.agent;
    this.#host = host;
    this.#budget = new RunBudget(checked.budgets);
    this.#startedAtMs = host.clock.now();
    this.#reporter = new RunReporter(
      host.client,
      {
        id: this.id,
        tenant: options.tenant,
        agent: options.agent,
        enforcer: host.enforcerId,
        budgets: checked.budgets,
        maxDurationMs: checked.maxDurationMs,
        heartbeatMs: checked.heartbeatMs,
        startedAt: new Date(this.#startedAtMs).toISOString(),
      },
      () => this.#heartbeat(),
      host.report,
    );
    this.#timers.push(this.#after(checked.maxDurationMs, 'timeout'));
    if (this.#budget.maxMs !== Infinity)
      this.#timers.push(this.#after(this.#budget.maxMs, budgetExceeded('max_seconds')));
    this.#unsubscribe = host.onChange((change) => this.#applyRules(change.rules));
    // A run started under a stop is stopped from its first moment.
    this.#applyRules(host.rules());
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get status(): RunState {
    return this.#state;
  }

  get stopReason(): StopReason | undefined {
    return this.#stopReason;
  }

  get inFlight(): number {
    return this.#calls.size;
  }

  check(): void {
    if (this.#state !== 'running') throw new RunStoppedError(this.id, this.#stopReason ?? 'ended');
  }

  step(): void {
    this.check();
    const exceeded = this.#budget.step();
    if (exceeded !== undefined) this.#exceed(exceeded);
    this.check();
  }

  async tool<Args, Result>(
    name: string,
    args: Args,
    fn: (args: Args, context: ToolContext) => Result | Promise<Result>,
    options: ToolCallOptions = {},
  ): Promise<Result | DraftedCall> {
    this.check();
    const call = { tenant: this.#tenant, agent: this.#agent, run: this.id, tool: name, effect: options.effect };
    // The run stopping ends a wait for an approval or a duplicate's result, with its RunStoppedError.
    const signal = options.signal === undefined ? this.signal : AbortSignal.any([this.signal, options.signal]);
    return this.#host.execute(call, args, (checked) => this.#run(name, checked, fn, options), {
      signal,
      idempotencyKey: options.idempotencyKey,
      approvalTimeoutMs: options.approvalTimeoutMs,
    });
  }

  /** Runs an allowed call: reserves against the budgets, tracks it in flight, settles its cost. */
  async #run<Args, Result>(
    name: string,
    args: Args,
    fn: (args: Args, context: ToolContext) => Result | Promise<Result>,
    options: ToolCallOptions,
  ): Promise<Result> {
    // The run may have stopped while the call waited for an approval.
    this.check();
    const effect = options.effect;
    let reservation;
    try {
      reservation = this.#budget.reserve({ usd: options.estimatedUsd });
    } catch (error) {
      throw new EstopError({ code: 'invalid_request', message: `${name}: ${(error as Error).message}`, cause: error });
    }
    if (typeof reservation === 'string') {
      this.#exceed(reservation);
      this.check();
      throw new RunStoppedError(this.id, budgetExceeded(reservation));
    }
    const call: RunningCall = {
      tool: name,
      effect: effect ?? 'write',
      startedAt: new Date(this.#host.clock.now()).toISOString(),
      controller: new AbortController(),
    };
    let actualUsd: number | undefined;
    const context: ToolContext = {
      // Aborted by #stop for the whole run, or by #applyRules for this call alone.
      signal: call.controller.signal,
      reportCost: (usd) => {
        actualUsd = usd;
      },
    };
    this.#calls.add(call);
    this.#reporter.changed();
    try {
      return await this.#host.track(Promise.resolve().then(() => fn(args, context)));
    } finally {
      this.#calls.delete(call);
      let exceeded: BudgetName | undefined;
      try {
        exceeded = this.#budget.commit(reservation, actualUsd);
      } catch (error) {
        this.#host.report(
          new EstopError({ code: 'invalid_request', message: `${name}: bad reported cost`, cause: error }),
        );
        exceeded = this.#budget.commit(reservation);
      }
      if (exceeded !== undefined) this.#exceed(exceeded);
      this.#reporter.changed();
      if (this.#state !== 'running' && this.#calls.size === 0) void this.#finish();
    }
  }

  charge(usd: number): void {
    let exceeded: BudgetName | undefined;
    try {
      exceeded = this.#budget.charge(usd);
    } catch (error) {
      this.#host.report(
        new EstopError({
          code: 'invalid_request',
          message: `run ${this.id}: charge ignored: ${(error as Error).message}`,
        }),
      );
      return;
    }
    if (exceeded !== undefined) this.#exceed(exceeded);
  }

  usage(): BudgetUsage {
    return this.#budget.usage();
  }

  end(): Promise<void> {
    this.#stop('ended');
    return this.#finish();
  }

  /** Stops reporting without ending the run on the control plane (the guard is closing). */
  detach(): void {
    this.#clearTimers();
    this.#unsubscribe();
    this.#reporter.close();
  }

  #exceed(budget: BudgetName): void {
    this.#stop(budgetExceeded(budget));
  }

  #stop(reason: StopReason): void {
    if (this.#state !== 'running') return;
    this.#state = reason === 'ended' ? 'ended' : 'stopped';
    this.#stopReason = reason;
    this.#clearTimers();
    this.#unsubscribe();
    const stopped = new RunStoppedError(this.id, reason);
    this.#controller.abort(stopped);
    for (const call of this.#calls) if (!call.controller.signal.aborted) call.controller.abort(stopped);
    this.#reporter.changed(true);
    if (this.#calls.size === 0) void this.#finish();
  }

  /** Reports the end once the run has stopped and nothing of it runs any more. */
  #finish(): Promise<void> {
    if (this.#calls.size > 0 || this.#stopReason === undefined) return Promise.resolve();
    const stopReason = this.#stopReason;
    this.#ending ??= this.#reporter.end({ stopReason, usage: this.#budget.usage() }).then((sent) => {
      // Unsent, the reporter keeps retrying, and the guard keeps the run to stop that on close.
      if (sent) this.#host.finished(this);
    });
    return this.#ending;
  }

  #applyRules(rules: readonly Rule[]): void {
    if (rules.length === 0) return;
    const now = this.#host.clock.now();
    const identity = { tenant: this.#tenant, agent: this.#agent, run: this.id };
    if (this.#state === 'running') {
      const stopping = ruleStoppingRun(rules, identity, now);
      if (stopping !== undefined) this.#stop(killedBy(stopping.id));
    }
    for (const call of this.#calls) {
      if (call.controller.signal.aborted) continue;
      const cancelling = ruleCancellingCall(rules, { ...identity, tool: call.tool, effect: call.effect }, now);
      if (cancelling === undefined) continue;
      call.controller.abort(
        new CallDeniedError(call.tool, {
          outcome: 'deny',
          mode: cancelling.mode,
          ruleId: cancelling.id,
          reason: cancelling.reason,
          source: 'rule',
        }),
      );
    }
  }

  #after(ms: number, reason: StopReason): ReturnType<typeof setTimeout> {
    const timer = setTimeout(
      () => {
        const elapsed = this.#host.clock.now() - this.#startedAtMs;
        // A timer may fire early against an injected clock; the clock has the last word.
        if (elapsed >= ms) this.#stop(reason);
        else this.#timers.push(this.#after(ms, reason));
      },
      Math.min(Math.max(0, ms - (this.#host.clock.now() - this.#startedAtMs)), MAX_TIMER_MS),
    );
    timer.unref();
    return timer;
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.length = 0;
  }

  #heartbeat(): RunHeartbeat {
    return {
      status: this.#state === 'running' ? 'running' : 'stopped',
      stopReason: this.#stopReason,
      inFlight: [...this.#calls].map((call) => ({ tool: call.tool, startedAt: call.startedAt })),
      usage: this.#budget.usage(),
    };
  }
}
