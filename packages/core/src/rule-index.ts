import type { Effect } from './call.js';
import { ALLOW, type Decision, type DecisionSource } from './decision.js';
import { MODE_TABLE, modeRank, type Mode } from './modes.js';
import type { Rule } from './rule.js';
import type { StateSnapshot } from './state.js';
import { compileToolGlob, matchTool, type ToolMatcher } from './tool-glob.js';

/**
 * A rule prepared for the hot path: its scope split into fields, its tool glob compiled,
 * its start and expiry parsed and the decisions it yields built once.
 */
export interface CompiledRule {
  readonly rule: Rule | undefined;
  readonly rank: number;
  readonly tenant: string | undefined;
  readonly agent: string | undefined;
  readonly run: string | undefined;
  readonly tool: ToolMatcher;
  /** When a scheduled rule starts matching; -Infinity for a rule in force from its creation. */
  readonly startsAtMs: number;
  readonly expiresAtMs: number;
  /** Decision for a read call, or ALLOW when the mode lets reads through. */
  readonly read: Decision;
  /** Decision for a write call. */
  readonly write: Decision;
}

/** What the index knows about one tool name: its effect and the global rules that match it. */
export interface ToolRules {
  readonly effect: Effect | undefined;
  /** The rules naming no tenant, agent or run whose tool pattern matches this tool. */
  readonly global: readonly CompiledRule[];
}

/**
 * Active rules indexed by the most selective dimension they name, so that deciding a call
 * looks only at the rules that could match it, however many tenants and rules there are.
 * Every list holds the most restrictive rules first, ties in snapshot order.
 */
export interface RuleIndex {
  readonly version: number;
  readonly effects: ReadonlyMap<string, Effect>;
  /** Rules naming no tenant, agent or run: global, or scoped by tool alone. */
  readonly global: readonly CompiledRule[];
  readonly byTenant: ReadonlyMap<string, readonly CompiledRule[]>;
  readonly byAgent: ReadonlyMap<string, readonly CompiledRule[]>;
  readonly byRun: ReadonlyMap<string, readonly CompiledRule[]>;
  /**
   * A memo filled by `toolRules` the first time each tool name is decided, so that global
   * rules on other tools are never looked at again. Not part of the state: it only grows.
   */
  readonly byTool: Map<string, ToolRules>;
  readonly rules: readonly Rule[];
}

/** Distinct tool names remembered per index; beyond it, calls scan every global rule. */
export const TOOL_MEMO_LIMIT = 10_000;

/**
 * The effect of `tool` and the global rules that can match it, computed on the first call
 * for that tool and remembered; undefined once the memo is full (the caller then falls back
 * to `index.effects` and `index.global`). Without this, every call would test every
 * tool-scoped global rule, and deciding would slow down as such rules accumulate.
 */
export function toolRules(index: RuleIndex, tool: string): ToolRules | undefined {
  const known = index.byTool.get(tool);
  if (known !== undefined || index.byTool.size >= TOOL_MEMO_LIMIT) return known;
  return rememberTool(index, tool);
}

// Apart from toolRules because its closure over `tool` would make V8 allocate a context on
// every call of the function that holds it, the hot path included.
function rememberTool(index: RuleIndex, tool: string): ToolRules {
  const entry: ToolRules = {
    effect: index.effects.get(tool),
    global: index.global.filter((rule) => matchTool(rule.tool, tool)),
  };
  index.byTool.set(tool, entry);
  return entry;
}

function decisions(mode: Mode, ruleId: string | undefined, reason: string, source: DecisionSource) {
  const { reads, writes } = MODE_TABLE[mode];
  const write = Object.freeze({ outcome: writes, mode, ruleId, reason, source });
  let read: Decision = ALLOW;
  if (reads === writes) read = write;
  else if (reads !== 'allow') read = Object.freeze({ outcome: reads, mode, ruleId, reason, source });
  return { read, write };
}

/** Prepares one rule for matching. */
export function compileRule(rule: Rule): CompiledRule {
  return {
    rule,
    rank: modeRank(rule.mode),
    tenant: rule.scope.tenant,
    agent: rule.scope.agent,
    run: rule.scope.run,
    tool: compileToolGlob(rule.scope.tool),
    startsAtMs: rule.startsAt === undefined ? -Infinity : Date.parse(rule.startsAt),
    expiresAtMs: rule.expiresAt === undefined ? Infinity : Date.parse(rule.expiresAt),
    ...decisions(rule.mode, rule.id, rule.reason, 'rule'),
  };
}

/**
 * A mode imposed on every call regardless of rules: the staleness fail-safe or a local
 * break-glass override. It behaves like a global rule that never expires.
 */
export function createFloor(mode: Mode, reason: string, source: DecisionSource): CompiledRule {
  return {
    rule: undefined,
    rank: modeRank(mode),
    tenant: undefined,
    agent: undefined,
    run: undefined,
    tool: compileToolGlob(undefined),
    startsAtMs: -Infinity,
    expiresAtMs: Infinity,
    ...decisions(mode, undefined, reason, source),
  };
}

function push(map: Map<string, CompiledRule[]>, key: string, rule: CompiledRule): void {
  const bucket = map.get(key);
  if (bucket === undefined) map.set(key, [rule]);
  else bucket.push(rule);
}

/**
 * Builds the index for a snapshot. Tool effects known locally (`localEffects`) are used
 * where the control plane's state names none for a tool.
 */
export function buildRuleIndex(snapshot: StateSnapshot, localEffects: Record<string, Effect> = {}): RuleIndex {
  const global: CompiledRule[] = [];
  const byTenant = new Map<string, CompiledRule[]>();
  const byAgent = new Map<string, CompiledRule[]>();
  const byRun = new Map<string, CompiledRule[]>();
  // Most restrictive first (the sort is stable, so ties keep snapshot order): deciding can
  // stop at the first match in each list.
  const ordered = snapshot.rules.map(compileRule).sort((a, b) => b.rank - a.rank);
  for (const compiled of ordered) {
    if (compiled.tenant !== undefined) push(byTenant, compiled.tenant, compiled);
    else if (compiled.agent !== undefined) push(byAgent, compiled.agent, compiled);
    else if (compiled.run !== undefined) push(byRun, compiled.run, compiled);
    else global.push(compiled);
  }
  const effects = new Map<string, Effect>([...Object.entries(localEffects), ...Object.entries(snapshot.tools)]);
  return {
    version: snapshot.version,
    effects,
    global,
    byTenant,
    byAgent,
    byRun,
    byTool: new Map(),
    rules: snapshot.rules,
  };
}
