import type { Rule } from '@estop/core';
import { describeScope, isScheduled } from '@estop/core';
import { formatAge, formatDuration, formatExpiry, formatTable } from './output.js';

/** A rule's mode as tables show it, with what qualifies it: `full_stop (scheduled, starts in 6h)`. */
export function modeText(rule: Rule, nowMs: number): string {
  let text = rule.mode;
  if (rule.cancelInFlight) text += ' (cancel in-flight)';
  if (rule.startsAt !== undefined && isScheduled(rule, nowMs)) {
    text += ` (scheduled, starts in ${formatDuration(Date.parse(rule.startsAt) - nowMs)})`;
  }
  return text;
}

/** The active rules as a table: id, scope, mode (and whether it is scheduled), actor, age, expiry, reason. */
export function formatRuleTable(rules: readonly Rule[], nowMs: number): string[] {
  return formatTable(
    ['ID', 'SCOPE', 'MODE', 'ACTOR', 'AGE', 'EXPIRES', 'REASON'],
    rules.map((rule) => [
      rule.id,
      describeScope(rule.scope),
      modeText(rule, nowMs),
      rule.actor.id,
      formatAge(rule.createdAt, nowMs),
      formatExpiry(rule.expiresAt, nowMs),
      rule.reason,
    ]),
    '  ',
  );
}
