import { describeScope, EstopError, explainDecision, MODE_TABLE, type Decision } from '@estop/core';
import type { RuleBook } from './rule-book.js';

/** A refused call explained: the error to answer with and the fields a client (or model) can act on. */
export interface Refusal {
  error: EstopError;
  fields: Record<string, unknown>;
}

/**
 * The decision's explanation, with its rule's scope when the gateway knows the rule, and the
 * fields every refusal of `tool` carries.
 */
function explain(tool: string, decision: Decision, rules: RuleBook): { text: string; fields: Record<string, unknown> } {
  const rule = decision.ruleId === undefined ? undefined : rules.find(decision.ruleId);
  const scope = rule === undefined ? undefined : describeScope(rule.scope);
  const { outcome, mode, ruleId, reason } = decision;
  return { text: explainDecision(decision, { scope }), fields: { tool, outcome, mode, ruleId, reason, scope } };
}

/**
 * Explains why a call was not executed: the mode, the rule and its scope, and the operator's
 * reason; no credentials or upstream details. Denials are `forbidden`. Drafts and approvals are
 * carried out by `guard.execute`, not refused; should one be described here, it is `conflict`.
 */
export function describeRefusal(tool: string, decision: Decision, rules: RuleBook): Refusal {
  const explained = explain(tool, decision, rules);
  const text = explained.text;
  const fields = { ...explained.fields, source: decision.source, executed: false };
  if (decision.outcome === 'draft' || decision.outcome === 'needs_approval') {
    const meaning = decision.mode === undefined ? '' : `; ${MODE_TABLE[decision.mode].meaning}`;
    const message = `${tool} was not executed: ${text}${meaning}`;
    return { error: new EstopError({ code: 'conflict', message }), fields };
  }
  return { error: new EstopError({ code: 'forbidden', message: `${tool} was denied: ${text}` }), fields };
}

/** Explains a call that was running when a rule with `cancelInFlight` came to cover it. */
export function describeCancellation(tool: string, decision: Decision, rules: RuleBook): Refusal {
  const { text, fields } = explain(tool, decision, rules);
  return {
    error: new EstopError({
      code: 'conflict',
      message: `${tool} was cancelled in flight by rule ${decision.ruleId ?? '(unknown)'}: ${text}; the upstream may have partly carried it out`,
    }),
    fields: { ...fields, cancelled: true },
  };
}
