import {
  buildRuleIndex,
  compileToolGlob,
  decide,
  matchTool,
  modeRank,
  type ApprovalCall,
  type Decision,
  type Mode,
  type Rule,
  type StateSnapshot,
} from '@estop/core';

const GATED_RANK = modeRank('approval_gated');

/** True when a rule of `mode` takes an approval's authority away: it is more restrictive than `approval_gated`. */
export function modeVoidsApprovals(mode: Mode): boolean {
  return modeRank(mode) > GATED_RANK;
}

/**
 * True when `rule` voids an approval for `call`: its mode is more restrictive than
 * `approval_gated` and its scope matches the call (tenant, agent and run equal when the rule
 * names them, the tool by glob).
 */
export function ruleVoidsApproval(rule: Rule, call: ApprovalCall): boolean {
  if (!modeVoidsApprovals(rule.mode)) return false;
  const { scope } = rule;
  if (scope.tenant !== undefined && scope.tenant !== call.tenant) return false;
  if (scope.agent !== undefined && scope.agent !== call.agent) return false;
  if (scope.run !== undefined && scope.run !== call.run) return false;
  return matchTool(compileToolGlob(scope.tool), call.tool);
}

/**
 * What the current state says of an approved write as it is about to run. An approval holds
 * only while the call would still be `allow` or `needs_approval`: a newer, more restrictive rule
 * (draft_only, read_only, full_stop) takes its authority away at execution time.
 */
export function decisionAtExecution(snapshot: StateSnapshot, call: ApprovalCall, nowMs: number): Decision {
  const index = buildRuleIndex(snapshot);
  return decide(
    index,
    { tenant: call.tenant, agent: call.agent, run: call.run, tool: call.tool, effect: 'write' },
    nowMs,
  );
}
