import type { Rule } from '../api/types.js';
import { timestamp, until } from './format.js';

/**
 * True when `rule` is a scheduled stop that has not started by `nowMs` (the page's clock): it is
 * pushed to enforcers but matches nothing yet. Enforcers decide by `startsAt` with their own
 * clocks; the page does the same with its own.
 */
export function isScheduled(rule: Rule, nowMs: number): boolean {
  return rule.startsAt !== undefined && Date.parse(rule.startsAt) > nowMs;
}

/** The rules in force at `nowMs`: those that have started (scheduled stops only once they do). */
export function rulesInForce(rules: readonly Rule[], nowMs: number): Rule[] {
  return rules.filter((rule) => !isScheduled(rule, nowMs));
}

/** `scheduled — starts 2026-12-24 18:00:00 UTC (in 3d)`, for a rule that has not started. */
export function scheduledText(rule: Rule & { startsAt: string }, nowMs: number): string {
  return `scheduled — starts ${timestamp(rule.startsAt)} (${until(rule.startsAt, nowMs)})`;
}
