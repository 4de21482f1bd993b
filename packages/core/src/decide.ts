import type { Call } from './call.js';
import { ALLOW, type Decision } from './decision.js';
import { toolRules, type CompiledRule, type RuleIndex, type ToolRules } from './rule-index.js';
import { matchTool } from './tool-glob.js';

const BUCKETS = 4;

/** The rules that could match the call: those on its tool, its tenant, its agent, its run. */
function bucket(
  index: RuleIndex,
  call: Call,
  tool: ToolRules | undefined,
  which: number,
): readonly CompiledRule[] | undefined {
  switch (which) {
    case 0:
      return tool === undefined ? index.global : tool.global;
    case 1:
      return index.byTenant.get(call.tenant);
    case 2:
      return call.agent === undefined ? undefined : index.byAgent.get(call.agent);
    default:
      return call.run === undefined ? undefined : index.byRun.get(call.run);
  }
}

/**
 * Decides a call against the state: the most restrictive matching rule in force (started, not
 * expired) wins;
 * reads pass every mode but `full_stop`; a tool of unknown effect is a write.
 * `floor`, when given, applies to every call as a global rule would (the staleness
 * fail-safe and break-glass use it). Pure, local, and allocation-free once the index has
 * seen the tool (pass `nowMs`: the default `Date.now()` allocates its own result).
 *
 * @example
 * const index = buildRuleIndex(snapshot);
 * decide(index, { tenant: 'acme', tool: 'email.send' }); // { outcome: 'deny', mode: 'read_only', ... }
 */
export function decide(index: RuleIndex, call: Call, nowMs: number = Date.now(), floor?: CompiledRule): Decision {
  const tool = toolRules(index, call.tool);
  const effect = tool === undefined ? index.effects.get(call.tool) : tool.effect;
  const isWrite = (effect ?? call.effect ?? 'write') === 'write';
  let bestRank = -1;
  let best: Decision = ALLOW;
  if (floor !== undefined && (isWrite || floor.read !== ALLOW)) {
    bestRank = floor.rank;
    best = isWrite ? floor.write : floor.read;
  }
  // One loop over the buckets rather than a helper taking `nowMs`: passing a double to a
  // function V8 does not inline boxes it, which would allocate on every call.
  for (let which = 0; which < BUCKETS; which++) {
    const rules = bucket(index, call, tool, which);
    if (rules === undefined) continue;
    // The tool's own list holds only rules whose pattern matches it.
    const toolChecked = which === 0 && tool !== undefined;
    for (let position = 0; position < rules.length; position++) {
      const rule = rules[position] as CompiledRule;
      // Lists are ordered most restrictive first: nothing further on can win.
      if (rule.rank <= bestRank) break;
      if (!isWrite && rule.read === ALLOW) continue;
      if (rule.expiresAtMs <= nowMs || rule.startsAtMs > nowMs) continue;
      if (rule.tenant !== undefined && rule.tenant !== call.tenant) continue;
      if (rule.agent !== undefined && rule.agent !== call.agent) continue;
      if (rule.run !== undefined && rule.run !== call.run) continue;
      if (!toolChecked && !matchTool(rule.tool, call.tool)) continue;
      bestRank = rule.rank;
      best = isWrite ? rule.write : rule.read;
      break;
    }
  }
  return best;
}
