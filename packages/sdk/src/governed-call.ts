import { setMaxListeners } from 'node:events';
import {
  ALLOW,
  approvalHash,
  derivedIdempotencyKey,
  EstopError,
  isEstopError,
  type Call,
  type Clock,
  type Decision,
  type Effect,
  type Sha256,
} from '@estop/core';
import { approvalRefusal, awaitApprovalDecision } from './approval-wait.js';
import type { BlockCounter } from './block-counter.js';
import { draftedCall, type DraftedCall } from './drafted-call.js';
import type { ExecuteOptions } from './execute-options.js';
import type { GovernanceClient } from './governance-client.js';
import type { IdempotencyPolicy } from './idempotency-policy.js';
import { CallDeniedError } from './run-stopped-error.js';

/** What a governed call needs from its guard. */
export interface GovernedCallHost {
  readonly enforcerId: string;
  readonly clock: Clock;
  readonly governance: GovernanceClient;
  readonly idempotency: IdempotencyPolicy;
  readonly blocks: BlockCounter;
  readonly approvalTimeoutMs: number;
  readonly sha256: Sha256;
  decide(call: Call): Decision;
  /** Keeps `work` (a write's completion, sent once its result is returned) for the guard to wait for when it closes. */
  afterward(work: Promise<void>): void;
  /** The call's effect as decisions see it: the state's, else the call's, else `write`. */
  effectOf(call: Call): Effect;
  report(error: EstopError): void;
}

/** While an earlier identical write runs, each claim waits at most this long for its result. */
const CLAIM_WAIT_MS = 10_000;
const NEVER = new AbortController().signal;
// Every completion and release in flight listens on it (until it settles): many at once is the
// normal case under load, not a leak.
setMaxListeners(0, NEVER);
/** What `runOnce` answers when the decision changed before the write could run. */
const STALE: unique symbol = Symbol('stale decision');

/**
 * Carries one call from decision to result, the one path `run.tool` and the gateway share:
 * a denial is counted and thrown; a draft is recorded and returned instead of running; an
 * allowed or approval-gated write claims its idempotency key first, so that it runs at most
 * once per key and its duplicates get the first result without asking anyone (the result is
 * returned as soon as the write ran; its key is completed in the background); then an
 * approval is asked for and waited on, and the call is decided again before it runs.
 */
export async function executeGoverned<Args, Result>(
  host: GovernedCallHost,
  call: Call,
  args: Args,
  fn: (args: Args) => Result | Promise<Result>,
  options: ExecuteOptions<Result> = {},
): Promise<Result | DraftedCall> {
  const signal = options.signal ?? NEVER;
  const decision = host.decide(call);
  if (decision.outcome === 'deny') {
    host.blocks.count(call, decision, host.effectOf(call));
    throw new CallDeniedError(call.tool, decision);
  }
  if (decision.outcome === 'draft') return recordDraft(host, call, args, decision, signal);
  const deduped = host.effectOf(call) === 'write' && options.dedupe !== false;
  const window = deduped ? host.idempotency.windowFor(call.tool) : false;
  let ran: Result | typeof STALE;
  if (window !== false) ran = await runOnce(host, call, args, fn, options, window, signal);
  else ran = (await mayRun(host, call, args, options, signal)) ? await fn(args) : STALE;
  // The rules changed before the call could run: it was not run, so it goes the new way.
  return ran === STALE ? executeGoverned(host, call, args, fn, options) : ran;
}

/**
 * Whether the call may run now: allowed, or gated and approved for this exact call (asked
 * for, waited on and used once). False when the rules now say something else, for the caller
 * to decide again; a refused approval throws.
 */
async function mayRun<Args>(
  host: GovernedCallHost,
  call: Call,
  args: Args,
  options: Pick<ExecuteOptions, 'approvalTimeoutMs'>,
  signal: AbortSignal,
): Promise<boolean> {
  const decision = host.decide(call);
  if (decision.outcome === 'allow') return true;
  if (decision.outcome !== 'needs_approval') return false;
  return (await approved(host, call, args, decision, options, signal)).outcome === 'allow';
}

/**
 * Asks for an approval and waits for it. Approved, the call is decided again, since the rules
 * may have changed meanwhile: still `needs_approval`, the approval is used (once, for this
 * exact call); otherwise the new decision stands. Anything but approved throws.
 */
async function approved<Args>(
  host: GovernedCallHost,
  call: Call,
  args: Args,
  decision: Decision,
  options: Pick<ExecuteOptions, 'approvalTimeoutMs'>,
  signal: AbortSignal,
): Promise<Decision> {
  const json = jsonArguments(call.tool, args);
  const fields = callFields(host, call, json, decision);
  const timeoutMs = options.approvalTimeoutMs ?? host.approvalTimeoutMs;
  const requested = await unlessUnavailable(call.tool, 'ask for an approval', signal, () =>
    host.governance.requestApproval({ ...fields, timeoutMs }, signal),
  );
  const view = await awaitApprovalDecision(host.governance, requested, host.clock, signal);
  if (view.status !== 'approved') throw approvalRefusal(call.tool, view);
  const now = host.decide(call);
  if (now.outcome !== 'needs_approval') return now;
  // The hash of the call as it is here: the approval is used only if it was given for this call.
  const hash = approvalHash(host.sha256, {
    tenant: call.tenant,
    agent: call.agent,
    run: call.run,
    tool: call.tool,
    args: json,
  });
  try {
    await host.governance.consumeApproval(view.id, hash, signal);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (isEstopError(error, 'conflict')) {
      throw approvalRefusal(call.tool, view, `approval ${view.id} could not be used: ${error.message}`);
    }
    throw notRun(call.tool, 'use its approval', error);
  }
  return ALLOW;
}

async function recordDraft<Args>(
  host: GovernedCallHost,
  call: Call,
  args: Args,
  decision: Decision,
  signal: AbortSignal,
): Promise<DraftedCall> {
  const fields = callFields(host, call, jsonArguments(call.tool, args), decision);
  const draft = await unlessUnavailable(call.tool, 'record it as a draft', signal, () =>
    host.governance.recordDraft(fields, signal),
  );
  return draftedCall(call.tool, draft, decision);
}

/**
 * Claims the write's key, runs it if first, and completes or releases the claim. Once the key
 * is held the call is decided again (a claim can wait for an identical write in flight) and,
 * when gated, waits for its approval: duplicates meanwhile wait for it rather than ask too. If
 * the rules no longer let it run, the key is released and the call is not run (`STALE`).
 */
async function runOnce<Args, Result>(
  host: GovernedCallHost,
  call: Call,
  args: Args,
  fn: (args: Args) => Result | Promise<Result>,
  options: ExecuteOptions<Result>,
  windowMs: number,
  signal: AbortSignal,
): Promise<Result | typeof STALE> {
  // Derived here as the control plane would, so a claim carries a key, never the arguments.
  const key = options.idempotencyKey ?? derivedKey(host, call, args);
  const claim = {
    tenant: call.tenant,
    tool: call.tool,
    key,
    windowMs,
    enforcer: host.enforcerId,
    agent: call.agent,
    run: call.run,
  };
  const giveUpAt = host.clock.now() + host.idempotency.waitMs;
  for (;;) {
    const waitMs = Math.max(0, Math.min(CLAIM_WAIT_MS, giveUpAt - host.clock.now()));
    const answer = await unlessUnavailable(call.tool, 'claim its idempotency key', signal, () =>
      host.governance.claim({ ...claim, waitMs }, signal),
    );
    if (answer.status === 'done') {
      return options.replay === undefined ? (answer.result as Result) : options.replay(answer.result);
    }
    if (answer.status === 'pending') {
      if (host.clock.now() < giveUpAt) continue;
      throw new EstopError({
        code: 'conflict',
        message: `${call.tool}: an identical write is still running, or stopped with its process before it finished; this one was not run, so it cannot happen twice. Retry once that write has finished (its key is held until its window ends).`,
      });
    }
    // Keys are kept per tenant and tool: completing or releasing one names both.
    const held = { tenant: call.tenant, tool: call.tool, key: answer.key, claimId: answer.claimId };
    // A failed call says so, for the sentinels counting failures; other releases do not.
    const failed = { ...held, failed: true, agent: call.agent, run: call.run };
    const release = (because: 'failed' | 'not run') =>
      settle(host, call.tool, 'release', () => host.governance.release(because === 'failed' ? failed : held, NEVER));
    let runNow: boolean;
    try {
      runNow = await mayRun(host, call, args, options, signal);
    } catch (error) {
      await release('not run');
      throw error;
    }
    if (!runNow) {
      await release('not run');
      return STALE;
    }
    let result: Result;
    try {
      result = await fn(args);
    } catch (error) {
      await release('failed');
      throw error;
    }
    let stored: string;
    try {
      stored = jsonText(options.record === undefined ? result : options.record(result));
    } catch (error) {
      host.report(
        new EstopError({
          code: 'invalid_request',
          message: `${call.tool}: the result cannot be kept for duplicates (${(error as Error).message}); released its key, so a repeat runs again`,
          cause: error,
        }),
      );
      await release('not run');
      return result;
    }
    // The write ran and its claim is durable, so no repeat can run it again: its result goes back
    // now, and the key is completed meanwhile (a repeat that comes first waits for it).
    host.afterward(
      settle(host, call.tool, 'complete', () => host.governance.complete({ ...held, resultJson: stored }, NEVER)),
    );
    return result;
  }
}

/** The value as JSON text (undefined as null); throws when it is not JSON. */
function jsonText(value: unknown): string {
  if (value === undefined) return 'null';
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`a ${typeof value} is not JSON`);
  return text;
}

/** The value as JSON data (undefined as null); throws when it is not JSON. */
function storable(value: unknown): unknown {
  return JSON.parse(jsonText(value)) as unknown;
}

/**
 * The key derived from the call's tenant, tool and arguments: the hash of their canonical JSON,
 * taken from the arguments as they are (canonical JSON reads them as JSON.stringify would).
 */
function derivedKey(host: GovernedCallHost, call: Call, args: unknown): string {
  try {
    return derivedIdempotencyKey(host.sha256, { tenant: call.tenant, tool: call.tool, args });
  } catch (error) {
    throw notJson(call.tool, error);
  }
}

function notJson(tool: string, error: unknown): EstopError {
  return new EstopError({
    code: 'invalid_request',
    message: `${tool}: its arguments are not JSON (${(error as Error).message}), so the write cannot be governed; it was not run`,
    cause: error,
  });
}

/** The call's arguments as JSON data, which approvals and drafts need. */
function jsonArguments(tool: string, args: unknown): unknown {
  try {
    return storable(args);
  } catch (error) {
    throw notJson(tool, error);
  }
}

function callFields(host: GovernedCallHost, call: Call, args: unknown, decision: Decision) {
  return {
    tenant: call.tenant,
    agent: call.agent,
    run: call.run,
    tool: call.tool,
    args,
    ruleId: decision.ruleId,
    enforcer: host.enforcerId,
  };
}

/** Runs a control-plane step the write depends on; any failure means the write does not run. */
async function unlessUnavailable<T>(
  tool: string,
  step: string,
  signal: AbortSignal,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw notRun(tool, step, error);
  }
}

function notRun(tool: string, step: string, error: unknown): EstopError {
  const code =
    isEstopError(error) && error.code !== 'timeout' && error.code !== 'internal' ? error.code : 'unavailable';
  const detail = error instanceof Error ? error.message : String(error);
  return new EstopError({
    code,
    message: `${tool}: the write was not run: could not ${step}: ${detail}`,
    cause: error,
  });
}

/** Completes or releases a claim after the call ran; a failure is reported, never thrown. */
async function settle(host: GovernedCallHost, tool: string, step: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    host.report(
      new EstopError({
        code: isEstopError(error) ? error.code : 'unavailable',
        message: `${tool}: could not ${step} its idempotency key: ${(error as Error).message}`,
        cause: error,
      }),
    );
  }
}
