import {
  EstopError,
  SYSTEM_ACTOR,
  describeScope,
  type Actor,
  type AuditDraft,
  type ChangeEvent,
  type Clock,
  type Mode,
  type Rule,
  type RuleInput,
  type RuleLift,
  type Store,
} from '@estop/core';
import type { ChangeHub } from './change-hub.js';
import type { EnforcerRegistry } from './enforcer-registry.js';
import { actorOf, requireRole, requireScopeWithinTenant, type Principal } from './principal.js';
import { randomId } from './token-secret.js';

/** Flipping and lifting switches: durable, audited, then pushed to every enforcer. */
export interface RuleService {
  create(principal: Principal, input: RuleInput): Promise<{ rule: Rule; version: number }>;
  lift(principal: Principal, ruleId: string, reason: string): Promise<{ lift: RuleLift; version: number }>;
  /** Lifts every rule whose expiry has passed, as the system. Returns how many. */
  expire(): Promise<number>;
}

/** Wires the rule operations to the store, the change hub and the enforcer registry. */
export function createRuleService(deps: {
  store: Store;
  hub: ChangeHub;
  registry: EnforcerRegistry;
  clock: Clock;
  defaultMode: Mode;
}): RuleService {
  const { store, hub, registry, clock } = deps;

  function published(event: ChangeEvent): number {
    registry.noteCommit(event.version, Date.parse(event.at));
    hub.publish(event);
    return event.version;
  }

  async function lift(ruleId: string, actor: Actor, reason: string, expired: boolean) {
    const record = await store.rules.get(ruleId);
    if (record === undefined || record.lift !== undefined) {
      throw new EstopError({ code: 'rule_not_found', message: `no active rule ${ruleId}` });
    }
    const at = new Date(clock.now()).toISOString();
    const liftRecord: RuleLift = { ruleId, actor, reason, at, expired };
    const audit: AuditDraft = {
      at,
      action: expired ? 'rule-expired' : 'rule-lifted',
      actor,
      reason,
      scope: record.rule.scope,
      ruleId,
      data: { mode: record.rule.mode },
    };
    const { event } = await store.rules.commit({ lift: [liftRecord], audit: [audit], at });
    return { lift: liftRecord, version: published(event), rule: record.rule };
  }

  return {
    async create(principal, input) {
      requireRole(principal, 'operator');
      requireScopeWithinTenant(principal, input.scope);
      const now = clock.now();
      const expiresAt =
        input.expiresAt ?? (input.expiresIn === undefined ? undefined : new Date(now + input.expiresIn).toISOString());
      if (expiresAt !== undefined && Date.parse(expiresAt) <= now) {
        throw new EstopError({ code: 'invalid_request', message: 'expiresAt is in the past' });
      }
      const at = new Date(now).toISOString();
      const rule: Rule = {
        id: randomId('r'),
        scope: Object.fromEntries(Object.entries(input.scope).filter(([, value]) => value !== undefined)),
        mode: input.mode ?? deps.defaultMode,
        reason: input.reason,
        actor: actorOf(principal),
        createdAt: at,
        expiresAt,
        cancelInFlight: input.cancelInFlight,
      };
      const audit: AuditDraft = {
        at,
        action: 'rule-created',
        actor: rule.actor,
        reason: rule.reason,
        scope: rule.scope,
        ruleId: rule.id,
        data: { mode: rule.mode, scope: describeScope(rule.scope), expiresAt, cancelInFlight: rule.cancelInFlight },
      };
      const { event } = await store.rules.commit({ create: [rule], audit: [audit], at });
      return { rule, version: published(event) };
    },

    async lift(principal, ruleId, reason) {
      requireRole(principal, 'admin');
      const record = await store.rules.get(ruleId);
      if (record !== undefined) requireScopeWithinTenant(principal, record.rule.scope);
      const { lift: liftRecord, version } = await lift(ruleId, actorOf(principal), reason, false);
      return { lift: liftRecord, version };
    },

    async expire() {
      const now = clock.now();
      const due = hub
        .snapshot()
        .rules.filter((rule) => rule.expiresAt !== undefined && Date.parse(rule.expiresAt) <= now);
      let count = 0;
      for (const rule of due) {
        try {
          await lift(rule.id, SYSTEM_ACTOR, `expired at ${rule.expiresAt}`, true);
          count += 1;
        } catch (error) {
          // Another replica may have lifted it first; that is the outcome we wanted.
          if (!(error instanceof EstopError && error.code === 'rule_not_found')) throw error;
        }
      }
      return count;
    },
  };
}
