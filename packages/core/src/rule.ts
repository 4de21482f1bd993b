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
  /**
   * ISO-8601 time from which the rule matches (a scheduled stop); absent, from its creation.
   * Enforcers compare it with their own clock, as they do `expiresAt`.
   */
  startsAt?: string | undefined;
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

/** True when the rule is scheduled to start after `nowMs`: it is pushed, but matches nothing yet. */
export function isScheduled(rule: Rule, nowMs: number): boolean {
  return rule.startsAt !== undefined && Date.parse(rule.startsAt) > nowMs;
}

/** True when the rule matches calls at `nowMs`: started and not expired. */
export function isInForce(rule: Rule, nowMs: number): boolean {
  return !isScheduled(rule, nowMs) && !isExpired(rule, nowMs);
}

/** How an active rule stands at `nowMs`, as listings show it: `scheduled` until it starts. */
export type RuleStatus = 'scheduled' | 'active';

/** The status listings show for an active (not lifted) rule at `nowMs`. */
export function ruleStatus(rule: Rule, nowMs: number): RuleStatus {
  return isScheduled(rule, nowMs) ? 'scheduled' : 'active';
}
