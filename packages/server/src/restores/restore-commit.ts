import {
  describeScope,
  type Actor,
  type AuditDraft,
  type Mode,
  type Rule,
  type RuleLift,
  type RuleRecord,
  type Store,
} from '@estop/core';
import type { EnforcerRegistry } from '../enforcers/enforcer-registry.js';
import type { ChangeHub } from '../stream/change-hub.js';
import { publishEvent } from '../stream/publish-event.js';
import { randomId } from '../tokens/token-secret.js';

/** What a restore changed: the lift, the less restrictive rule that replaced it (if staged), the version. */
export interface RestoreResult {
  lift: RuleLift;
  replacement?: Rule | undefined;
  version: number;
}

/**
 * Lifts a rule, or with `to` replaces it by a rule of that mode on the same scope, as ONE store
 * commit: the replacement is created before the old rule is lifted within a single version, so
 * no enforcer ever sees the scope unprotected. `audit` entries (e.g. the confirmation) go first.
 */
export async function commitRestore(options: {
  store: Pick<Store, 'rules'>;
  hub: ChangeHub;
  registry: EnforcerRegistry;
  record: RuleRecord;
  actor: Actor;
  reason: string;
  at: string;
  to?: Mode | undefined;
  audit?: readonly AuditDraft[] | undefined;
  /** Added to the `rule-lifted` entry's data (a forced lift's cause). */
  liftData?: Record<string, unknown> | undefined;
}): Promise<RestoreResult> {
  const { record, actor, reason, at, to } = options;
  const old = record.rule;
  const lift: RuleLift = { ruleId: old.id, actor, reason, at, expired: false };
  const replacement: Rule | undefined =
    to === undefined
      ? undefined
      : {
          id: randomId('r'),
          scope: old.scope,
          mode: to,
          reason,
          actor,
          createdAt: at,
          startsAt: old.startsAt,
          expiresAt: old.expiresAt,
          cancelInFlight: false,
        };
  const audit: AuditDraft[] = [...(options.audit ?? [])];
  if (replacement !== undefined) {
    audit.push({
      at,
      action: 'rule-created',
      actor,
      reason,
      scope: replacement.scope,
      ruleId: replacement.id,
      data: {
        mode: replacement.mode,
        scope: describeScope(replacement.scope),
        expiresAt: replacement.expiresAt,
        cancelInFlight: false,
        replaces: old.id,
      },
    });
  }
  audit.push({
    at,
    action: 'rule-lifted',
    actor,
    reason,
    scope: old.scope,
    ruleId: old.id,
    data: {
      mode: old.mode,
      ...(replacement === undefined ? {} : { replacedBy: replacement.id }),
      ...options.liftData,
    },
  });
  const { event } = await options.store.rules.commit({
    create: replacement === undefined ? undefined : [replacement],
    lift: [lift],
    audit,
    at,
  });
  return { lift, replacement, version: publishEvent(options.hub, options.registry, event) };
}
