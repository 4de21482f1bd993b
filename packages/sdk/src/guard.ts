import type { Call, Decision, Rule } from '@estop/core';
import type { DraftedCall } from './drafted-call.js';
import type { ExecuteOptions } from './execute-options.js';
import type { Run, RunOptions } from './run.js';
import type { GuardedTools, ToolFunction, WrapOptions } from './wrap-tools.js';

/** A version the guard has just applied, as told to `onChange` listeners. */
export interface GuardChange {
  readonly version: number;
  /** The active rules at that version; shared with the guard, so never mutate them. */
  readonly rules: readonly Rule[];
}

/**
 * An in-process enforcement point: it follows the control plane's state by push and decides
 * tool calls locally, failing safe when it cannot trust what it knows.
 */
export interface Guard {
  /** This enforcer's id, as `estop verify` lists it. */
  readonly id: string;
  /** The state version applied; 0 before the first snapshot. */
  readonly version: number;
  /**
   * True before the first snapshot and while nothing (not even a keep-alive) has been heard
   * for longer than `staleAfterMs`; decisions then fail safe to `failMode`.
   */
  readonly stale: boolean;
  /** Calls running under `track`, reported to the control plane with each acknowledgement. */
  readonly inFlight: number;
  /**
   * The active rules of the version applied (none before the first snapshot), to explain a
   * decision by its rule's scope; shared with the guard, so never mutate them.
   */
  readonly rules: readonly Rule[];

  /**
   * Resolves once the first snapshot is applied. Rejects with an EstopError if the control
   * plane rejects the token (`unauthorized`, `forbidden`), if no snapshot arrives within
   * `readyTimeoutMs` (`timeout`), or if the guard is closed first (`unavailable`). The guard
   * keeps trying either way, and decides (failing safe) without waiting for this.
   */
  ready(): Promise<void>;

  /**
   * Decides a call against the local state: synchronous, no network, no allocation. Never
   * throws; a call that cannot be decided is denied.
   *
   * @example
   * const decision = guard.decide({ tenant: 'acme', tool: 'email.send', effect: 'write' });
   * if (decision.outcome !== 'allow') throw new Error(`blocked: ${decision.reason}`);
   */
  decide(call: Call): Decision;

  /**
   * Carries a call from decision to result, as `run.tool` and the gateway do: denied, the
   * refusal is counted and a CallDeniedError thrown; `draft`, the call is recorded as a draft
   * and a DraftedCall returned (`fn` is not called); `needs_approval`, an approval is asked
   * for and waited on (`options.signal` aborts the wait), then the call is decided again;
   * allowed, a write runs once per idempotency key (repeats get the first result) and a read
   * simply runs. A control plane that cannot be reached for any of these steps means the
   * write is not run: an EstopError `unavailable` says so.
   *
   * @example
   * const result = await guard.execute(
   *   { tenant: 'acme', tool: 'email.send', effect: 'write' },
   *   message,
   *   (args) => mailer.send(args),
   * );
   * if (isDrafted(result)) console.log(result.message);
   */
  execute<Args, Result>(
    call: Call,
    args: Args,
    fn: (args: Args) => Result | Promise<Result>,
    options?: ExecuteOptions<Result>,
  ): Promise<Result | DraftedCall>;

  /**
   * Wraps a record of tool functions, keyed by tool name, so that every call goes through
   * `execute` for `options.tenant` (and agent, run): decided first, refused with a
   * CallDeniedError, drafted, approved, deduped. Each wrapped tool takes the arguments and,
   * optionally, the call's `ExecuteOptions`. For budgets and a stop signal, use a run's `tool`.
   *
   * @example
   * const tools = guard.wrap({ 'email.send': (message: Email) => mailer.send(message) }, { tenant: 'acme', agent: 'mailer' });
   * await tools['email.send']({ to: 'ceo@example.com', subject: 'Q3' });
   */
  wrap<Tools extends Record<string, ToolFunction>>(tools: Tools, options: WrapOptions): GuardedTools<Tools>;

  /** Calls `listener` after each applied version, snapshots included; returns the unsubscribe function. */
  onChange(listener: (change: GuardChange) => void): () => void;

  /**
   * Counts `work` as in flight until it settles, and returns it unchanged.
   *
   * @example
   * const result = await guard.track(sendEmail(message));
   */
  track<T>(work: Promise<T>): Promise<T>;

  /**
   * Starts a run: an agent session with budgets, a stop signal and guarded tool calls, which
   * registers with the control plane and stops when a rule, a budget or its time limit says so.
   *
   * @throws EstopError `config_invalid` when the options are invalid.
   * @example
   * const run = guard.startRun({ tenant: 'acme', agent: 'mailer', budgets: { maxUsd: 2, maxToolCalls: 50 } });
   * const sent = await run.tool('email.send', message, (args, { signal }) => mailer.send(args, { signal }));
   * await run.end();
   */
  startRun(options: RunOptions): Run;

  /**
   * Closes the stream, stops timers and file watching, reports the last blocked-call counts,
   * and deregisters, so that the control plane lists this enforcer no more at once (waiting at
   * most 2 seconds for it: a control plane that is away forgets the guard after its
   * `enforcers.forget_after`). Never rejects; a failure to deregister goes to `onError`.
   */
  close(): Promise<void>;
}
