import type { Call } from './call.js';
import { ALLOW, type Decision } from './decision.js';
import type { CompiledRule, RuleIndex } from './rule-index.js';
import { matchTool } from './tool-glob.js';

// The best match so far is kept in module state rather than an object per call, so that
// deciding allocates nothing. Deciding is synchronous, so no two calls interleave here.
let bestRank = -1;
let bestDecision: Decision = ALLOW;

function consider(rules: readonly CompiledRule[] | undefined, call: Call, isWrite: boolean, nowMs: number): void {
  if (rules === undefined) return;
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index] as CompiledRule;
    if (rule.rank <= bestRank) continue;
    if (!isWrite && rule.read === ALLOW) continue;
    if (rule.expiresAtMs <= nowMs) continue;
    if (rule.tenant !== undefined && rule.tenant !== call.tenant) continue;
    if (rule.agent !== undefined && rule.agent !== call.agent) continue;
    if (rule.run !== undefined && rule.run !== call.run) continue;
    if (!matchTool(rule.tool, call.tool)) continue;
    bestRank = rule.rank;
    bestDecision = isWrite ? rule.write : rule.read;
  }
}

/**
 * Decides a call against the state: the most restrictive matching, unexpired rule wins;
 * reads pass every mode but `full_stop`; a tool of unknown effect is a write.
 * `floor`, when given, applies to every call as a global rule would (the staleness
 * fail-safe and break-glass use it). Pure, local, and allocation-free.
 *
 * @example
 * const index = buildRuleIndex(snapshot);
 * decide(index, { tenant: 'acme', tool: 'email.send' }); // { outcome: 'deny', mode: 'read_only', ... }
 */
export function decide(index: RuleIndex, call: Call, nowMs: number = Date.now(), floor?: CompiledRule): Decision {
  const isWrite = (index.effects.get(call.tool) ?? call.effect ?? 'write') === 'write';
  bestRank = -1;
  bestDecision = ALLOW;
  if (floor !== undefined) {
    bestRank = isWrite || floor.read !== ALLOW ? floor.rank : -1;
    bestDecision = isWrite ? floor.write : floor.read;
  }
  consider(index.global, call, isWrite, nowMs);
  consider(index.byTenant.get(call.tenant), call, isWrite, nowMs);
  if (call.agent !== undefined) consider(index.byAgent.get(call.agent), call, isWrite, nowMs);
  if (call.run !== undefined) consider(index.byRun.get(call.run), call, isWrite, nowMs);
  return bestDecision;
}
