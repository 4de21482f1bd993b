import type { Actor } from '../actor.js';
import type { AuditDraft } from '../audit.js';
import type { EnforcerRecord } from '../enforcer.js';
import type { CommitRequest } from '../ports/store.js';
import type { Rule, RuleLift } from '../rule.js';
import type { TokenRecord } from '../token.js';

const START_MS = Date.parse('2026-03-01T09:00:00.000Z');

/** An ISO time `minutes` after a fixed start, so that fixtures are the same on every run. */
export function minutesIn(minutes: number): string {
  return new Date(START_MS + minutes * 60_000).toISOString();
}

/** The person fixtures act as. */
export const OPERATOR: Actor = { id: 'ops@example.com', kind: 'human' };

/** A tenant-wide full stop with no expiry; `overrides` must not hold `undefined` members. */
export function makeRule(id: string, overrides: Partial<Rule> = {}): Rule {
  return {
    id,
    scope: { tenant: 'acme' },
    mode: 'full_stop',
    reason: `stop ${id}`,
    actor: OPERATOR,
    createdAt: minutesIn(0),
    cancelInFlight: false,
    ...overrides,
  };
}

/** A lift by the operator. */
export function makeLift(ruleId: string, overrides: Partial<RuleLift> = {}): RuleLift {
  return { ruleId, actor: OPERATOR, reason: `lift ${ruleId}`, at: minutesIn(5), expired: false, ...overrides };
}

/** An audit draft with only the required fields, unless overridden. */
export function makeDraft(overrides: Partial<AuditDraft> = {}): AuditDraft {
  return { at: minutesIn(1), action: 'rule-created', actor: OPERATOR, ...overrides };
}

/** The commit the server makes to create one rule. */
export function creating(rule: Rule): CommitRequest {
  return {
    create: [rule],
    audit: [
      makeDraft({
        at: rule.createdAt,
        reason: rule.reason,
        scope: rule.scope,
        ruleId: rule.id,
        data: { mode: rule.mode },
      }),
    ],
    at: rule.createdAt,
  };
}

/** The commit the server makes to lift one rule. */
export function lifting(lift: RuleLift): CommitRequest {
  return {
    lift: [lift],
    audit: [
      makeDraft({ at: lift.at, action: 'rule-lifted', actor: lift.actor, reason: lift.reason, ruleId: lift.ruleId }),
    ],
    at: lift.at,
  };
}

/** An operator token bound to a tenant. */
export function makeToken(id: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id,
    name: `token ${id}`,
    principalId: `p_${id}`,
    role: 'operator',
    tenant: 'acme',
    hash: `hash-of-${id}`,
    createdAt: minutesIn(0),
    createdBy: OPERATOR.id,
    ...overrides,
  };
}

/** An SDK enforcer that has acknowledged version 3. */
export function makeEnforcer(id: string, overrides: Partial<EnforcerRecord> = {}): EnforcerRecord {
  return {
    id,
    name: `worker ${id}`,
    kind: 'sdk',
    host: 'worker-1.internal',
    pid: 4242,
    version: 3,
    inFlight: 2,
    lastSeenAt: minutesIn(2),
    ...overrides,
  };
}
