import { EstopError, isEstopError, type ApprovalView, type Clock, type Decision } from '@estop/core';
import type { GovernanceClient } from './governance-client.js';
import { CallDeniedError } from './run-stopped-error.js';

/** The longest wait one request may ask the control plane for (`docs/api.md`). */
const MAX_WAIT_MS = 60_000;
/** How long past `expiresAt` the waiter keeps asking, for clocks that disagree a little. */
const EXPIRY_GRACE_MS = 5_000;

/**
 * Waits for the decision on an approval by long polls, re-issued until it is no longer
 * `pending` or its `expiresAt` (plus a little grace) has passed; an undecided approval is then
 * `expired`. A failed request is retried with a growing pause. `signal` aborts the wait with
 * its reason (a RunStoppedError when a run stops).
 */
export async function awaitApprovalDecision(
  governance: GovernanceClient,
  requested: ApprovalView,
  clock: Clock,
  signal: AbortSignal,
): Promise<ApprovalView> {
  let view = requested;
  let failures = 0;
  let lastError: unknown;
  while (view.status === 'pending') {
    if (signal.aborted) throw signal.reason;
    const remaining = Date.parse(view.expiresAt) + EXPIRY_GRACE_MS - clock.now();
    if (remaining <= 0) {
      if (lastError !== undefined) {
        throw new EstopError({
          code: 'unavailable',
          message: `${view.call.tool}: the decision on approval ${view.id} could not be learned before it expired; the write was not run`,
          cause: lastError,
        });
      }
      return { ...view, status: 'expired' };
    }
    try {
      view = await governance.approval(view.id, Math.min(MAX_WAIT_MS, Math.max(1, Math.ceil(remaining))), signal);
      failures = 0;
      lastError = undefined;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (
        isEstopError(error) &&
        error.code !== 'unavailable' &&
        error.code !== 'timeout' &&
        error.code !== 'internal'
      ) {
        throw new EstopError({
          code: error.code,
          message: `${view.call.tool}: waiting for approval ${view.id} failed; the write was not run: ${error.message}`,
          cause: error,
        });
      }
      lastError = error;
      failures++;
      await pause(Math.min(5_000, 100 * 2 ** failures), signal);
    }
  }
  return view;
}

/** The refusal for a call whose approval did not let it run: the outcome, who decided, and why. */
export function approvalRefusal(tool: string, view: ApprovalView, why?: string): CallDeniedError {
  const decision: Decision = {
    outcome: 'deny',
    mode: 'approval_gated',
    ruleId: view.ruleId,
    reason: why ?? describeOutcome(view),
    source: 'rule',
  };
  return new CallDeniedError(tool, decision, view);
}

function describeOutcome(view: ApprovalView): string {
  const decided = view.decision;
  if (view.status === 'expired' && decided === undefined) {
    return `approval ${view.id} expired undecided at ${view.expiresAt}`;
  }
  const by = decided === undefined ? '' : ` by ${decided.actor.id}`;
  const reason = decided?.reason === undefined || decided.reason === '' ? '' : `: ${decided.reason}`;
  return `approval ${view.id} was ${view.status}${by}${reason}`;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
