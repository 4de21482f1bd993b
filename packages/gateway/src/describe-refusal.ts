import { describeScope, EstopError, type Decision } from '@estop/core';
import type { RuleBook } from './rule-book.js';

/** A refused call explained: the error to answer with and the fields a client (or model) can act on. */
export interface Refusal {
  error: EstopError;
  fields: Record<string, unknown>;
}

function where(decision: Decision, rules: RuleBook): { scope: string | undefined; text: string } {
  const rule = decision.ruleId === undefined ? undefined : rules.find(decision.ruleId);
  if (rule !== undefined) {
    const scope = describeScope(rule.scope);
    return { scope, text: scope === 'global' ? 'every call (a global rule)' : scope };
  }
  switch (decision.source) {
    case 'stale':
      return { scope: undefined, text: 'this gateway, whose state is stale (failing safe)' };
    case 'break_glass':
      return { scope: undefined, text: 'this gateway, by its local break-glass override' };
    default:
      return { scope: undefined, text: 'this call' };
  }
}

/**
 * Explains why a call was not executed: the mode, the rule and its scope, and the operator's
 * reason; no credentials or upstream details. Denials are `forbidden`. Drafts and approvals are
 * carried out by `guard.execute`, not refused; should one be described here, it is `conflict`.
 */
export function describeRefusal(tool: string, decision: Decision, rules: RuleBook): Refusal {
  const { scope, text } = where(decision, rules);
  const rule = decision.ruleId === undefined ? '' : ` (rule ${decision.ruleId})`;
  const reason = decision.reason === undefined || decision.reason === '' ? '' : `: ${decision.reason}`;
  const fields = {
    tool,
    outcome: decision.outcome,
    mode: decision.mode,
    ruleId: decision.ruleId,
    reason: decision.reason,
    scope,
    source: decision.source,
    executed: false,
  };
  let message: string;
  switch (decision.outcome) {
    case 'draft':
      message = `${tool} was not executed: ${text} is draft_only${rule}${reason}; writes become drafts`;
      return { error: new EstopError({ code: 'conflict', message }), fields };
    case 'needs_approval':
      message = `${tool} was not executed: ${text} is approval_gated${rule}${reason}; writes need an operator's approval`;
      return { error: new EstopError({ code: 'conflict', message }), fields };
    default:
      message = `${tool} was denied: ${text} is ${decision.mode ?? 'stopped'}${rule}${reason}`;
      return { error: new EstopError({ code: 'forbidden', message }), fields };
  }
}

/** Explains a call that was running when a rule with `cancelInFlight` came to cover it. */
export function describeCancellation(tool: string, decision: Decision, rules: RuleBook): Refusal {
  const { scope, text } = where(decision, rules);
  const reason = decision.reason === undefined || decision.reason === '' ? '' : `: ${decision.reason}`;
  return {
    error: new EstopError({
      code: 'conflict',
      message: `${tool} was cancelled in flight by rule ${decision.ruleId ?? '(unknown)'} (${text} is ${decision.mode ?? 'stopped'})${reason}; the upstream may have partly carried it out`,
    }),
    fields: {
      tool,
      outcome: decision.outcome,
      mode: decision.mode,
      ruleId: decision.ruleId,
      reason: decision.reason,
      scope,
      cancelled: true,
    },
  };
}
