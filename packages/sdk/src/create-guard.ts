import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { decide, EstopError, type Call, type Decision, type Effect, type Rule, type StateSnapshot } from '@estop/core';
import { AckSender } from './ack-sender.js';
import { asEstopError } from './as-estop-error.js';
import { Backoff } from './backoff.js';
import { BlockCounter } from './block-counter.js';
import { parseBreakGlass, stricterOverride, type BreakGlassOverride } from './break-glass.js';
import { watchBreakGlassFile } from './break-glass-file.js';
import { ControlPlaneClient } from './control-plane-client.js';
import type { DraftedCall } from './drafted-call.js';
import { createEnforcerId } from './enforcer-id.js';
import type { ExecuteOptions } from './execute-options.js';
import { FailSafe } from './fail-safe.js';
import { GovernanceClient } from './governance-client.js';
import { executeGoverned, type GovernedCallHost } from './governed-call.js';
import { GuardedRun, type RunHost } from './guarded-run.js';
import type { Guard, GuardChange } from './guard.js';
import { resolveGuardOptions, type GuardOptions, type ResolvedGuardOptions } from './guard-options.js';
import { LocalState } from './local-state.js';
import { ReplicaSet } from './replica-set.js';
import type { Run, RunOptions } from './run.js';
import { StateSync } from './state-sync.js';
import { wrapTools, type GuardedTools, type ToolFunction, type WrapOptions } from './wrap-tools.js';

/**
 * Creates a guard that follows the control plane at `options.url` (one of its replicas at a
 * time, when given several) and decides tool calls locally. It starts syncing at once;
 * decisions fail safe until the first snapshot arrives.
 *
 * @throws EstopError `config_invalid` when the options are invalid; nothing else throws.
 * @example
 * const guard = createGuard({ url: 'http://localhost:7700', token: process.env.ESTOP_TOKEN ?? '' });
 * await guard.ready();
 * const decision = guard.decide({ tenant: 'acme', tool: 'email.send' });
 * // ...
 * await guard.close();
 */
export function createGuard(options: GuardOptions): Guard {
  return new SyncedGuard(resolveGuardOptions(options));
}

// How long closing waits for the control plane to hear that the guard is gone.
const DEREGISTER_TIMEOUT_MS = 2_000;

/** The decision for a call that could not be decided at all: failing closed. */
const UNDECIDABLE: Decision = Object.freeze({
  outcome: 'deny',
  mode: 'full_stop',
  reason: 'the call could not be decided; denied',
  source: 'invalid_call',
});

interface ReadyWaiter {
  resolve(): void;
  reject(error: EstopError): void;
  timer: ReturnType<typeof setTimeout>;
}

class SyncedGuard implements Guard {
  readonly id: string;
  readonly #options: ResolvedGuardOptions;
  readonly #failSafe: FailSafe;
  readonly #state: LocalState;
  readonly #acks: AckSender;
  readonly #sync: StateSync;
  readonly #listeners = new Set<(change: GuardChange) => void>();
  readonly #waiters = new Set<ReadyWaiter>();
  readonly #stopWatching: (() => void) | undefined;
  readonly #envOverride: BreakGlassOverride | undefined;
  readonly #client: ControlPlaneClient;
  readonly #replicas: ReplicaSet;
  readonly #runs = new Set<GuardedRun>();
  readonly #blocks: BlockCounter;
  /** Completions of keys whose writes already returned, still on their way. */
  readonly #settling = new Set<Promise<void>>();
  readonly #governed: GovernedCallHost;
  #runHost: RunHost | undefined;
  #inFlight = 0;
  #lastError: EstopError | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedGuardOptions) {
    this.#options = options;
    this.id = createEnforcerId(options.kind);
    this.#failSafe = new FailSafe(options.failMode, options.staleAfterMs);
    const breakGlass = options.breakGlass;
    this.#envOverride = parseBreakGlass(breakGlass.mode, breakGlass.modeOrigin, this.#report);
    this.#failSafe.setBreakGlass(this.#envOverride);
    if (breakGlass.file !== undefined) {
      this.#stopWatching = watchBreakGlassFile(
        breakGlass.file,
        breakGlass.intervalMs,
        (override) => this.#failSafe.setBreakGlass(stricterOverride(this.#envOverride, override)),
        this.#report,
      );
    }
    const replicas = new ReplicaSet(options.urls);
    this.#replicas = replicas;
    const client = new ControlPlaneClient(replicas, options.token);
    this.#client = client;
    this.#acks = new AckSender(client, this.id, () => this.#inFlight, this.#report);
    this.#state = new LocalState(options.tools, options.clock, (snapshot, isSnapshot) =>
      this.#applied(snapshot, isSnapshot),
    );
    this.#sync = new StateSync({
      client,
      replicas,
      registration: {
        id: this.id,
        name: options.name,
        kind: options.kind,
        // The control plane takes a host of 1 to 200 characters; an empty one is left out.
        host: hostname().slice(0, 200) || undefined,
        pid: process.pid,
      },
      state: this.#state,
      acks: this.#acks,
      backoff: new Backoff(options.reconnect),
      clock: options.clock,
      staleAfterMs: options.staleAfterMs,
      onError: this.#report,
    });
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const governance = new GovernanceClient(client, {
      keys: options.idempotency.store,
      clock: options.clock,
      sha256,
      onError: this.#report,
    });
    this.#blocks = new BlockCounter({
      intervalMs: options.blockReportMs,
      clock: options.clock,
      send: (report) => governance.reportBlocks(this.id, report, new AbortController().signal),
      onError: this.#report,
    });
    this.#governed = {
      enforcerId: this.id,
      clock: options.clock,
      governance,
      idempotency: options.idempotency,
      blocks: this.#blocks,
      approvalTimeoutMs: options.approvalTimeoutMs,
      sha256,
      decide: (call) => this.decide(call),
      afterward: (work) => {
        const settling = this.#settling;
        const done: Promise<void> = work.finally(() => settling.delete(done));
        settling.add(done);
      },
      effectOf: (call) => this.#effectOf(call),
      report: this.#report,
    };
    this.#sync.start();
  }

  get version(): number {
    return this.#state.synced ? this.#state.version : 0;
  }

  get stale(): boolean {
    const state = this.#state;
    return !state.synced || this.#options.clock.now() - state.heardAt > this.#options.staleAfterMs;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get rules(): readonly Rule[] {
    return this.#state.index.rules;
  }

  decide(call: Call): Decision {
    // The hot path: choosing a floor is two comparisons against values prepared elsewhere.
    try {
      const state = this.#state;
      const failSafe = this.#failSafe;
      const now = this.#options.clock.now();
      const floor = !state.synced
        ? failSafe.unsynced
        : now - state.heardAt > this.#options.staleAfterMs
          ? failSafe.stale
          : failSafe.fresh;
      return decide(state.index, call, now, floor);
    } catch (error) {
      this.#report(
        new EstopError({ code: 'invalid_request', message: 'a call could not be decided; denied it', cause: error }),
      );
      return UNDECIDABLE;
    }
  }

  execute<Args, Result>(
    call: Call,
    args: Args,
    fn: (args: Args) => Result | Promise<Result>,
    options?: ExecuteOptions<Result>,
  ): Promise<Result | DraftedCall> {
    return executeGoverned(this.#governed, call, args, fn, options);
  }

  wrap<Tools extends Record<string, ToolFunction>>(tools: Tools, options: WrapOptions): GuardedTools<Tools> {
    return wrapTools((call, args, fn, callOptions) => this.execute(call, args, fn, callOptions), tools, options);
  }

  /** As `decide` sees it: the state's effect for the tool, else the call's, else `write`. */
  #effectOf(call: Call): Effect {
    return this.#state.index.effects.get(call.tool) ?? call.effect ?? 'write';
  }

  ready(): Promise<void> {
    if (this.#state.synced) return Promise.resolve();
    if (this.#closing !== undefined) return Promise.reject(closedError());
    const last = this.#lastError;
    if (last !== undefined && isRejection(last)) return Promise.reject(last);
    return new Promise<void>((resolve, reject) => {
      const waiter: ReadyWaiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          const cause = this.#lastError;
          reject(
            new EstopError({
              code: 'timeout',
              message:
                `no snapshot from the control plane at ${this.#replicas.describe()} within ` +
                `${this.#options.readyTimeoutMs}ms${cause === undefined ? '' : `; last error: ${cause.message}`}`,
              cause,
            }),
          );
        }, this.#options.readyTimeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  onChange(listener: (change: GuardChange) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight++;
    return Promise.resolve(work).finally(() => {
      this.#inFlight--;
    });
  }

  startRun(options: RunOptions): Run {
    const run = new GuardedRun(options, (this.#runHost ??= this.#createRunHost()));
    this.#runs.add(run);
    return run;
  }

  #createRunHost(): RunHost {
    return {
      enforcerId: this.id,
      clock: this.#options.clock,
      client: this.#client,
      decide: (call) => this.decide(call),
      execute: (call, args, fn, options) => this.execute(call, args, fn, options),
      rules: () => this.#state.index.rules,
      onChange: (listener) => this.onChange(listener),
      track: (work) => this.track(work),
      report: this.#report,
      finished: (run) => this.#runs.delete(run),
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#stopWatching?.();
    for (const run of this.#runs) run.detach();
    this.#runs.clear();
    this.#acks.close();
    this.#settleWaiters(closedError());
    // Writes that ran complete their keys first: a repeat after the close is then replayed, not refused.
    await Promise.all(this.#settling);
    await this.#blocks.close();
    await this.#sync.close();
    // Said once the stream is closed and the last counts are sent: the control plane lists this
    // enforcer no more at once. Best effort and brief, as the control plane may be away.
    await this.#client
      .deregister(this.id, DEREGISTER_TIMEOUT_MS)
      .catch((error: unknown) => this.#report(asEstopError(error, 'unavailable', 'deregistering failed')));
  }

  #applied(snapshot: StateSnapshot, isSnapshot: boolean): void {
    this.#lastError = undefined;
    this.#acks.applied(snapshot.version, isSnapshot);
    this.#settleWaiters(undefined);
    if (this.#listeners.size === 0) return;
    const change: GuardChange = { version: snapshot.version, rules: snapshot.rules };
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#report(
          new EstopError({
            code: 'internal',
            message: `an onChange listener threw at version ${change.version}`,
            cause: error,
          }),
        );
      }
    }
  }

  /** Resolves every `ready()` waiter, or rejects them all with `error`. */
  #settleWaiters(error: EstopError | undefined): void {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
    this.#waiters.clear();
  }

  // An arrow function, because it is handed to the parts as their error callback.
  readonly #report = (error: EstopError): void => {
    this.#lastError = error;
    // Waiting will not fix a rejected token, so `ready()` says so at once; syncing still retries.
    if (isRejection(error)) this.#settleWaiters(error);
    try {
      this.#options.onError(error);
    } catch {
      // A failing error handler must not stop the guard from syncing.
    }
  };
}

function isRejection(error: EstopError): boolean {
  return error.code === 'unauthorized' || error.code === 'forbidden';
}

function closedError(): EstopError {
  return new EstopError({ code: 'unavailable', message: 'the guard was closed before its first snapshot' });
}
