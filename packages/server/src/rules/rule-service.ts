import {
  EstopError,
  SYSTEM_ACTOR,
  describeScope,
  MAX_DURATION_MS,
  needsSecondApprover,
  ruleStatus,
  type Actor,
  type AuditDraft,
  type ChangeEvent,
  type Clock,
  type Mode,
  type RestoreRequest,
  type Rule,
  type RuleInput,
  type RuleLift,
  type RuleRecord,
  type RuleStatus,
  type Store,
} from '@estop/core';
import type { ChangeHub } from '../stream/change-hub.js';
import type { EnforcerRegistry } from '../enforcers/enforcer-registry.js';
import { commitRestore, type RestoreResult } from '../restores/restore-commit.js';
import { requireCauseEnded, requireLiftable } from '../restores/restore-checks.js';
import type { SentinelHeat } from '../sentinels/sentinel-heat.js';
import type { RestorePolicy } from '../restores/restore-policy.js';
import type { RestoreService } from '../restores/restore-service.js';
import { publishEvent } from '../stream/publish-event.js';
import { actorOf, canSee, requireScopeWithinTenant, type Principal } from '../tokens/principal.js';
import { randomId } from '../tokens/token-secret.js';
import { findRule, requireReportableRule } from './reportable-rule.js';

/**
 * What a lift did: `lifted` at once (with the replacement of a staged restore), or `requested`
 * when the rule is in a governed class and a second admin must confirm.
 */
export type LiftOutcome = ({ outcome: 'lifted' } & RestoreResult) | { outcome: 'requested'; request: RestoreRequest };

/**
 * Flipping and lifting switches: durable, audited, then pushed to every enforcer. The caller
 * has checked the principal's role (the routes do, once); the service checks its tenant.
 */
export interface RuleService {
  /** The active rules the principal may see, at the current version, each `scheduled` until it starts. */
  list(principal: Principal): { version: number; rules: (Rule & { status: RuleStatus })[] };
  /** The rule `id`, active or lifted, with its lift; `rule_not_found` when the principal may not see it. */
  get(principal: Principal, id: string): Promise<RuleRecord>;
  /** The rule `id`, active or not, or undefined when there is none. */
  find(id: string): Promise<Rule | undefined>;
  /** The rule an enforcer's report names, if the reporting token may report against it (see requireReportableRule). */
  requireReportable(principal: Principal, ruleId: string, tenant: string | undefined): Promise<Rule>;
  create(principal: Principal, input: RuleInput): Promise<{ rule: Rule; version: number }>;
  /**
   * Creates a rule as estop itself (a sentinel's trip, an alert): no principal to check; `data` is
   * added to the `rule-created` audit entry. With `id`, the rule takes it, and a second creation
   * with the same id is `conflict`: how something is stopped once however often it is asked.
   */
  createAs(
    actor: Actor,
    input: RuleInput,
    data?: Record<string, unknown>,
    id?: string,
  ): Promise<{ rule: Rule; version: number }>;
  /**
   * Lifts a rule, or with `to` replaces it by a less restrictive one; governed rules get a restore
   * request. A sentinel's trip whose cause continues is refused (`cause_continues`) unless `force`.
   */
  lift(principal: Principal, ruleId: string, reason: string, to?: Mode, force?: boolean): Promise<LiftOutcome>;
  /** Lifts every rule whose expiry has passed, as the system. Returns how many. */
  expire(): Promise<number>;
}

/** Wires the rule operations to the store, the change hub and the enforcer registry. */
export function createRuleService(deps: {
  store: Pick<Store, 'rules'>;
  hub: ChangeHub;
  registry: EnforcerRegistry;
  clock: Clock;
  defaultMode: Mode;
  restore: RestorePolicy;
  restoreRequests: RestoreService;
  /** Whether a sentinel's trip is still hot, which a lift asks first. */
  causes: Pick<SentinelHeat, 'causeOf'>;
}): RuleService {
  const { store, hub, registry, clock } = deps;

  function published(event: ChangeEvent): number {
    return publishEvent(hub, registry, event);
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
    const version = published(event);
    await deps.restoreRequests.voidFor(ruleId);
    return { lift: liftRecord, version, rule: record.rule };
  }

  async function createRule(actor: Actor, input: RuleInput, data: Record<string, unknown>, id?: string) {
    const now = clock.now();
    const startsAt = input.startsAt === undefined ? undefined : new Date(Date.parse(input.startsAt)).toISOString();
    const startsAtMs = startsAt === undefined ? now : Date.parse(startsAt);
    if (startsAtMs < now) {
      throw new EstopError({
        code: 'invalid_request',
        message: 'startsAt is in the past; leave it out to stop now',
      });
    }
    if (startsAtMs - now > MAX_DURATION_MS) {
      throw new EstopError({ code: 'invalid_request', message: 'startsAt is more than 366d away' });
    }
    // A scheduled stop's expiresIn counts from its start.
    const expiresAt =
      input.expiresAt ??
      (input.expiresIn === undefined ? undefined : new Date(startsAtMs + input.expiresIn).toISOString());
    if (expiresAt !== undefined && Date.parse(expiresAt) <= now) {
      throw new EstopError({ code: 'invalid_request', message: 'expiresAt is in the past' });
    }
    if (expiresAt !== undefined && startsAt !== undefined && Date.parse(expiresAt) <= startsAtMs) {
      throw new EstopError({ code: 'invalid_request', message: 'expiresAt is not after startsAt' });
    }
    if (expiresAt !== undefined && Date.parse(expiresAt) - now > MAX_DURATION_MS) {
      throw new EstopError({ code: 'invalid_request', message: 'expiresAt is more than 366d away' });
    }
    const at = new Date(now).toISOString();
    const rule: Rule = {
      id: id ?? randomId('r'),
      scope: Object.fromEntries(Object.entries(input.scope).filter(([, value]) => value !== undefined)),
      mode: input.mode ?? deps.defaultMode,
      reason: input.reason,
      actor,
      createdAt: at,
      startsAt,
      expiresAt,
      cancelInFlight: input.cancelInFlight,
    };
    const audit: AuditDraft = {
      at,
      action: 'rule-created',
      actor,
      reason: rule.reason,
      scope: rule.scope,
      ruleId: rule.id,
      data: {
        mode: rule.mode,
        scope: describeScope(rule.scope),
        startsAt,
        expiresAt,
        cancelInFlight: rule.cancelInFlight,
        ...data,
      },
    };
    const { event } = await store.rules.commit({ create: [rule], audit: [audit], at });
    return { rule, version: published(event) };
  }

  return {
    list(principal) {
      const snapshot = hub.snapshot();
      const nowMs = clock.now();
      return {
        version: snapshot.version,
        rules: snapshot.rules
          .filter((rule) => canSee(principal, rule.scope))
          .map((rule) => ({ ...rule, status: ruleStatus(rule, nowMs) })),
      };
    },

    async get(principal, id) {
      const record = await store.rules.get(id);
      if (record === undefined || !canSee(principal, record.rule.scope)) {
        throw new EstopError({ code: 'rule_not_found', message: `no rule ${id}` });
      }
      return record;
    },

    find(id) {
      return findRule({ hub, store }, id);
    },

    requireReportable(principal, ruleId, tenant) {
      return requireReportableRule({ hub, store }, principal, ruleId, tenant);
    },

    async create(principal, input) {
      requireScopeWithinTenant(principal, input.scope);
      return createRule(actorOf(principal), input, {});
    },

    createAs(actor, input, data = {}, id) {
      return createRule(actor, input, data, id);
    },

    async lift(principal, ruleId, reason, to, force = false) {
      const record = await store.rules.get(ruleId);
      if (record === undefined || record.lift !== undefined) {
        throw new EstopError({ code: 'rule_not_found', message: `no active rule ${ruleId}` });
      }
      requireScopeWithinTenant(principal, record.rule.scope);
      requireLiftable(record.rule, to, deps.restore, clock.now());
      const cause = await requireCauseEnded(deps.causes, record.rule, force);
      if (needsSecondApprover(record.rule, deps.restore.secondApprover)) {
        const request = await deps.restoreRequests.request(principal, record, reason, to, cause !== undefined);
        return { outcome: 'requested', request };
      }
      const at = new Date(clock.now()).toISOString();
      const actor = actorOf(principal);
      const liftData = cause === undefined ? undefined : { force: true, cause };
      const result = await commitRestore({ store, hub, registry, record, actor, reason, at, to, liftData });
      await deps.restoreRequests.voidFor(ruleId);
      return { outcome: 'lifted', ...result };
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
