import { describeScope, explainDecision, type Decision, type EstopError, type Rule } from '@estop/core';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** Looks up an active rule by id, to describe its scope; undefined when not known. */
export type RuleLookup = (ruleId: string) => Rule | undefined;

/** Why the decision applies: "tenant acme is read_only (rule r_1): duplicate emails". */
function explain(decision: Decision, rules: RuleLookup): string {
  const rule = decision.ruleId === undefined ? undefined : rules(decision.ruleId);
  // Spaces rather than `=` between a dimension and its value read better to a model.
  const scope = rule === undefined ? undefined : describeScope(rule.scope).replaceAll('=', ' ');
  return explainDecision(decision, { scope });
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/**
 * The tool result an agent receives for a call the gateway did not forward: what happened and
 * why (mode, scope, rule, reason; never secrets), in words a model can act on.
 */
export function refusalResult(tool: string, decision: Decision, rules: RuleLookup): CallToolResult {
  const why = explain(decision, rules);
  switch (decision.outcome) {
    case 'draft':
      return errorResult(
        `estop: ${tool} was not executed: ${why}. Writes are recorded as drafts only; do not retry, tell the user it needs review.`,
      );
    case 'needs_approval':
      return errorResult(
        `estop: ${tool} was not executed: ${why}. Writes need a human's approval; do not retry, tell the user it awaits approval.`,
      );
    default:
      return errorResult(`estop: this call was refused: ${why}. Do not retry it; tell the user it is stopped.`);
  }
}

/**
 * What an agent is told when a `full_stop` hides every tool of `server` from it: an empty
 * `tools/list` alone reads as a server with no tools.
 */
export function hiddenToolsWarning(server: string, decision: Decision, rules: RuleLookup): string {
  return `estop: every tool of ${server} is hidden: ${explain(decision, rules)}`;
}

/**
 * The tool result for a write that did not run because a step it needs from the control plane
 * failed, or because an identical write is still running (`conflict`, whose message says when
 * to retry).
 */
export function notRunResult(error: EstopError): CallToolResult {
  const retry = error.code === 'conflict' ? '' : ". It may be retried once estop's control plane answers.";
  return errorResult(`estop: ${error.message}${retry}`);
}

/** The tool result for a call the gateway cancelled while it ran, because a rule now covers it. */
export function cancelledResult(tool: string, decision: Decision | undefined, rules: RuleLookup): CallToolResult {
  const why = decision === undefined ? 'an operator stopped it' : explain(decision, rules);
  return errorResult(
    `estop: ${tool} was cancelled while it ran: ${why}. It may or may not have taken effect; do not retry it.`,
  );
}
