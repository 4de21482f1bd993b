import type { Actor } from './actor.js';
import type { Mode } from './modes.js';
import type { Scope } from './scope.js';

/** A switch that is on: within `scope`, calls lose the authority that `mode` takes away. */
export interface Rule {
  id: string;
  scope: Scope;
  mode: Mode;
  reason: string;
  actor: Actor;
  /** ISO-8601 time the rule was created. */
  createdAt: string;
  /** ISO-8601 time after which the rule no longer matches; it is then lifted by the system. */
  expiresAt?: string | undefined;
  /** Whether enforcers should abort calls already running in the scope. */
  cancelInFlight: boolean;
}

/** How a rule stopped being active. */
export interface RuleLift {
  ruleId: string;
  actor: Actor;
  reason: string;
  /** ISO-8601 time of the lift. */
  at: string;
  /** True when the lift happened because the rule expired. */
  expired: boolean;
}

/** A rule together with its lift, if it has been lifted. */
export interface RuleRecord {
  rule: Rule;
  lift?: RuleLift | undefined;
}

/** True when the rule has an expiry at or before `nowMs`. */
export function isExpired(rule: Rule, nowMs: number): boolean {
  return rule.expiresAt !== undefined && Date.parse(rule.expiresAt) <= nowMs;
}
