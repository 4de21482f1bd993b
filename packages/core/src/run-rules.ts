import type { Effect } from './call.js';
import type { Rule } from './rule.js';
import { isInForce } from './rule.js';
import { compileToolGlob, matchTool } from './tool-glob.js';

/** Who a run is, as rules see it. */
export interface RunIdentity {
  tenant: string;
  agent?: string | undefined;
  run: string;
}

function scopeMatchesRun(rule: Rule, run: RunIdentity): boolean {
  const { scope } = rule;
  return (
    (scope.tenant === undefined || scope.tenant === run.tenant) &&
    (scope.agent === undefined || scope.agent === run.agent) &&
    (scope.run === undefined || scope.run === run.run)
  );
}

/**
 * The first active rule that stops the whole run: a `full_stop` whose scope matches the run's
 * tenant, agent and id and names no tool (a rule naming a tool disables that tool only).
 */
export function ruleStoppingRun(rules: readonly Rule[], run: RunIdentity, nowMs: number): Rule | undefined {
  return rules.find(
    (rule) =>
      rule.mode === 'full_stop' &&
      rule.scope.tool === undefined &&
      scopeMatchesRun(rule, run) &&
      isInForce(rule, nowMs),
  );
}

/**
 * The first active rule asking to cancel calls in flight that refuses this call: its scope
 * matches the run and the tool, and its mode refuses the call's effect (every mode refuses a
 * write, only `full_stop` a read).
 */
export function ruleCancellingCall(
  rules: readonly Rule[],
  call: RunIdentity & { tool: string; effect: Effect },
  nowMs: number,
): Rule | undefined {
  return rules.find(
    (rule) =>
      rule.cancelInFlight &&
      (rule.mode === 'full_stop' || call.effect === 'write') &&
      scopeMatchesRun(rule, call) &&
      matchTool(compileToolGlob(rule.scope.tool), call.tool) &&
      isInForce(rule, nowMs),
  );
}
