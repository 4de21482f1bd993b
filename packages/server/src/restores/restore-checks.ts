import { EstopError, modeRank, type Mode, type Rule } from '@estop/core';
import type { RestorePolicy } from './restore-policy.js';

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
