import type { Decision } from './decision.js';

/** What the caller knows beyond the decision itself. */
export interface ExplainOptions {
  /**
   * The scope of the decision's rule in words, when the caller can look the rule up: core's
   * `describeScope` (`tenant=acme`), or the same with spaces for a model to read. `global` reads
   * as "every call (a global rule)".
   */
  scope?: string | undefined;
}

function subject(decision: Decision, mode: string, scope: string | undefined): string {
  switch (decision.source) {
    case 'stale':
      // The reason says why: no state yet, or no word from the control plane for a while.
      return `everything is ${mode} while this enforcer fails safe`;
    case 'break_glass':
      return `a local break-glass override makes everything ${mode}`;
    case 'invalid_call':
      return 'the call could not be decided';
    default:
      if (decision.outcome === 'allow' && decision.mode === undefined) return 'no rule covers this call';
      if (scope === undefined) return `this scope is ${mode}`;
      return `${scope === 'global' ? 'every call (a global rule)' : scope} is ${mode}`;
  }
}

/**
 * Why a decision applies, in the one wording every surface uses (the gateway's refusals, the
 * SDK's drafts, the CLI): where it comes from, its mode, its rule and the operator's reason.
 * Never credentials or upstream details. What the mode does is `MODE_TABLE[mode].meaning`.
 *
 * @example
 * explainDecision(decision, { scope: describeScope(rule.scope) });
 * // → 'tenant=acme is read_only (rule r_1): duplicate emails'
 */
export function explainDecision(decision: Decision, options: ExplainOptions = {}): string {
  const rule = decision.ruleId === undefined ? '' : ` (rule ${decision.ruleId})`;
  const reason = decision.reason === undefined || decision.reason === '' ? '' : `: ${decision.reason}`;
  return `${subject(decision, decision.mode ?? 'stopped', options.scope)}${rule}${reason}`;
}
