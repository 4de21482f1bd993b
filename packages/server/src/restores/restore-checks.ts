import { EstopError, durationText, modeRank, type Mode, type Rule } from '@estop/core';
import type { SentinelHeat, TripCause } from '../sentinels/sentinel-heat.js';
import type { RestorePolicy } from './restore-policy.js';

/**
 * Throws `cause_continues` (409) when `rule` is a sentinel's trip whose window is still at or over
 * its threshold, unless `force`; then answers the cause, for the audit entry to record. Undefined
 * for any other rule, or a trip whose window has fallen below its threshold.
 */
export async function requireCauseEnded(
  causes: Pick<SentinelHeat, 'causeOf'>,
  rule: Rule,
  force: boolean,
): Promise<TripCause | undefined> {
  const cause = await causes.causeOf(rule);
  if (cause === undefined || !cause.hot) return undefined;
  if (force) return cause;
  const { sentinel, count, threshold, windowMs } = cause;
  throw new EstopError({
    code: 'cause_continues',
    message: `rule ${rule.id} is sentinel ${sentinel}'s trip and its cause continues: ${count} within the last ${durationText(windowMs)}, threshold ${threshold}; lift it once the window falls below the threshold, or force the lift with a reason`,
    details: { ruleId: rule.id, sentinel, count, threshold, windowMs },
  });
}

/**
 * Throws unless `rule` may be lifted now, or replaced by a rule of mode `to`: `conflict` while
 * the cooldown lasts (naming when it ends), `invalid_request` unless `to` is strictly less
 * restrictive than the rule's mode.
 */
export function requireLiftable(rule: Rule, to: Mode | undefined, policy: RestorePolicy, nowMs: number): void {
  const liftableAtMs = Date.parse(rule.createdAt) + policy.cooldownMs;
  if (nowMs < liftableAtMs) {
    const liftableAt = new Date(liftableAtMs).toISOString();
    throw new EstopError({
      code: 'conflict',
      message: `rule ${rule.id} is in its restore cooldown; it can be lifted from ${liftableAt}`,
      details: { ruleId: rule.id, liftableAt },
    });
  }
  if (to !== undefined && modeRank(to) >= modeRank(rule.mode)) {
    throw new EstopError({
      code: 'invalid_request',
      message: `a staged restore must be less restrictive than ${rule.mode}; ${to} is not`,
      details: { ruleId: rule.id, mode: rule.mode, to },
    });
  }
}
