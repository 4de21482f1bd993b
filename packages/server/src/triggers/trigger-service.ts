import { hash } from 'node:crypto';
import {
  EstopError,
  ScopeSchema,
  isEstopError,
  type Actor,
  type Clock,
  type NotificationStore,
  type Scope,
} from '@estop/core';
import type { TriggerSpec } from '../notify/notify-config.js';
import type { RuleService } from '../rules/rule-service.js';
import type { Principal } from '../tokens/principal.js';
import type { Alert } from './alertmanager-payload.js';

/** What one alert did: a rule created (or created before), its resolution recorded, or nothing and why. */
export interface AlertOutcome {
  fingerprint: string;
  status: Alert['status'];
  outcome: 'created' | 'existing' | 'resolved' | 'resolved-before' | 'unmatched' | 'skipped';
  ruleId?: string | undefined;
  reason?: string | undefined;
}

/** The first trigger naming the alert whose `match` labels it carries, if any. */
function triggerFor(triggers: readonly TriggerSpec[], alert: Alert): TriggerSpec | undefined {
  return triggers.find(
    (trigger) =>
      trigger.alert === alert.labels.alertname &&
      Object.entries(trigger.match).every(([label, value]) => alert.labels[label] === value),
  );
}

/**
 * The rule id of a firing, the same however often Alertmanager repeats it: from the trigger,
 * the alert's fingerprint and when it started firing. A new firing of the same alert is a new rule.
 */
function ruleIdOf(trigger: TriggerSpec, alert: Alert): string {
  return `r_${hash('sha256', `alert\n${trigger.alert}\n${alert.fingerprint}\n${alert.startsAt}`, 'hex').slice(0, 16)}`;
}

/** The scope the trigger reads from the alert's labels, or why it cannot: a missing label never widens a stop. */
function scopeOf(trigger: TriggerSpec, alert: Alert, principal: Principal): Scope | string {
  const scope: Scope = {};
  for (const field of trigger.scopeFromLabels) {
    const value = alert.labels[field];
    if (value === undefined) return `the alert has no label ${field}`;
    scope[field] = value;
  }
  if (!ScopeSchema.safeParse(scope).success)
    return `the alert's labels ${trigger.scopeFromLabels.join(', ')} are not names`;
  if (principal.tenant !== undefined && scope.tenant !== principal.tenant) {
    return `the hook token is bound to tenant ${principal.tenant}`;
  }
  return scope;
}

/** Annotations as one line of a reason: control characters become spaces, at most 500 characters. */
function summaryOf(alert: Alert): string {
  const summary = alert.annotations.summary ?? alert.annotations.description ?? '';
  return (
    summary
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .trim()
      .slice(0, 500)
  );
}

/** Fires the configured triggers for Alertmanager's alerts. */
export function createTriggerService(deps: {
  triggers: readonly TriggerSpec[];
  rules: Pick<RuleService, 'createAs' | 'find'>;
  notifications: Pick<NotificationStore, 'recordOnce'>;
  clock: Clock;
  /** Called when something was appended to the audit log. */
  audited: () => void;
}) {
  async function fire(principal: Principal, alert: Alert, trigger: TriggerSpec, actor: Actor): Promise<AlertOutcome> {
    const base = { fingerprint: alert.fingerprint, status: alert.status };
    const scope = scopeOf(trigger, alert, principal);
    if (typeof scope === 'string') return { ...base, outcome: 'skipped', reason: scope };
    const ruleId = ruleIdOf(trigger, alert);
    const summary = summaryOf(alert);
    const facts = { trigger: trigger.alert, fingerprint: alert.fingerprint, startsAt: alert.startsAt };
    try {
      await deps.rules.createAs(
        actor,
        {
          scope,
          mode: trigger.mode,
          reason: `alert ${trigger.alert}${summary === '' ? '' : `: ${summary}`}`,
          expiresIn: trigger.expiresInMs,
          cancelInFlight: false,
        },
        { alert: { ...facts, labels: alert.labels } },
        ruleId,
      );
      return { ...base, outcome: 'created', ruleId };
    } catch (error) {
      if (isEstopError(error, 'conflict')) return { ...base, outcome: 'existing', ruleId };
      throw error;
    }
  }

  async function resolve(alert: Alert, trigger: TriggerSpec, actor: Actor): Promise<AlertOutcome> {
    const base = { fingerprint: alert.fingerprint, status: alert.status };
    const ruleId = ruleIdOf(trigger, alert);
    const rule = await deps.rules.find(ruleId);
    if (rule === undefined) return { ...base, outcome: 'skipped', reason: 'no rule was made for this firing' };
    // Restoring stays governed: the rule stands; its alert's end is on the record, once.
    const recorded = await deps.notifications.recordOnce(`alert-resolved:${ruleId}`, {
      at: new Date(deps.clock.now()).toISOString(),
      action: 'alert-resolved',
      actor,
      reason: `alert ${trigger.alert} resolved; the rule stands until it is lifted`,
      scope: rule.scope,
      ruleId,
      data: { trigger: trigger.alert, fingerprint: alert.fingerprint, startsAt: alert.startsAt, endsAt: alert.endsAt },
    });
    return { ...base, outcome: recorded === undefined ? 'resolved-before' : 'resolved', ruleId };
  }

  return {
    /** Each alert: a firing one creates its trigger's rule once; a resolved one is recorded on it once. */
    async handle(principal: Principal, alerts: readonly Alert[]): Promise<AlertOutcome[]> {
      if (deps.triggers.length === 0) {
        throw new EstopError({ code: 'not_found', message: 'no triggers are configured (triggers: in the config)' });
      }
      const outcomes: AlertOutcome[] = [];
      for (const alert of alerts) {
        const trigger = triggerFor(deps.triggers, alert);
        if (trigger === undefined) {
          outcomes.push({ fingerprint: alert.fingerprint, status: alert.status, outcome: 'unmatched' });
          continue;
        }
        const actor: Actor = {
          id: `alert:${trigger.alert}`,
          kind: 'system',
          principalId: principal.principalId,
          tokenId: principal.id,
        };
        outcomes.push(
          alert.status === 'firing'
            ? await fire(principal, alert, trigger, actor)
            : await resolve(alert, trigger, actor),
        );
      }
      if (outcomes.some((outcome) => outcome.outcome === 'resolved')) deps.audited();
      return outcomes;
    },
  };
}

/** Fires triggers; see createTriggerService. */
export type TriggerService = ReturnType<typeof createTriggerService>;
