import {
  EstopError,
  SYSTEM_ACTOR,
  isEstopError,
  type Clock,
  type Mode,
  type RestoreRequest,
  type RestoreRequestRecord,
  type RuleRecord,
  type Store,
} from '@estop/core';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { ChangeHub } from '../stream/change-hub.js';
import type { EnforcerRegistry } from '../enforcers/enforcer-registry.js';
import {
  actorOf,
  isWithinTenant,
  requireScopeWithinTenant,
  samePrincipal,
  type Principal,
} from '../tokens/principal.js';
import type { OperatorTopic } from '../stream/operator-events.js';
import type { SentinelHeat } from '../sentinels/sentinel-heat.js';
import { commitRestore, type RestoreResult } from './restore-commit.js';
import { requireCauseEnded } from './restore-checks.js';
import { randomId } from '../tokens/token-secret.js';

/**
 * Restore requests: lifts of governed rules that wait for a second admin. The caller has
 * checked that the principal is an admin (the routes do, once); the service checks its tenant.
 */
export interface RestoreService {
  /**
   * Records a request to lift (or, with `to`, replace) an active rule; the rule stays until
   * confirmed. `force`: the asker lifts a sentinel's trip although its cause continues.
   */
  request(
    principal: Principal,
    record: RuleRecord,
    reason: string,
    to?: Mode,
    force?: boolean,
  ): Promise<RestoreRequest>;
  /** Pending requests the principal may see, oldest first; requests whose rule is gone are voided. */
  pending(principal: Principal): Promise<RestoreRequest[]>;
  /**
   * A different admin confirms: the lift or replacement is committed and the request resolved.
   * A sentinel's trip whose cause continues is refused (`cause_continues`) unless the request or
   * the confirmation is forced.
   */
  confirm(
    principal: Principal,
    id: string,
    reason: string,
    force?: boolean,
  ): Promise<RestoreResult & { request: RestoreRequest }>;
  /** Voids pending requests for a rule lifted some other way. */
  voidFor(ruleId: string): Promise<void>;
  /** Ends pending requests older than the request ttl, as the system. Returns how many. */
  expire(): Promise<number>;
}

/** Wires restore requests to the store, and confirmed ones to the same commit an ungoverned lift makes. */
export function createRestoreService(deps: {
  store: Pick<Store, 'rules' | 'restoreRequests'>;
  hub: ChangeHub;
  registry: EnforcerRegistry;
  clock: Clock;
  audit: AuditWriter;
  /** How long a request waits for its confirmation before it expires. */
  requestTtlMs: number;
  notify: (topic: OperatorTopic) => void;
  /** Whether a sentinel's trip is still hot, which a confirmation asks again. */
  causes: Pick<SentinelHeat, 'causeOf'>;
}): RestoreService {
  const { store, clock } = deps;
  const now = () => new Date(clock.now()).toISOString();

  /** Resolves a pending request as void (expired or rule gone); audited by whichever replica wins. */
  async function endRequest(request: RestoreRequest, reason: string, expired = false): Promise<boolean> {
    const at = now();
    if (!(await store.restoreRequests.resolve(request.id, { outcome: 'voided', actor: SYSTEM_ACTOR, reason, at }))) {
      return false;
    }
    await deps.audit.append({
      at,
      action: expired ? 'restore-expired' : 'restore-voided',
      actor: SYSTEM_ACTOR,
      reason,
      scope: request.scope,
      ruleId: request.ruleId,
      data: { requestId: request.id, requestedBy: request.requestedBy.id, to: request.to },
    });
    deps.notify('restore-requests');
    deps.notify('audit');
    return true;
  }

  async function voidRequest(request: RestoreRequest, reason: string): Promise<void> {
    await endRequest(request, reason);
  }

  async function voidOthers(ruleId: string): Promise<void> {
    for (const record of await store.restoreRequests.list({ pending: true })) {
      if (record.request.ruleId === ruleId) await voidRequest(record.request, 'the rule was lifted');
    }
  }

  async function pendingRecords(): Promise<RestoreRequestRecord[]> {
    const records = await store.restoreRequests.list({ pending: true });
    const live: RestoreRequestRecord[] = [];
    for (const record of records) {
      const rule = await store.rules.get(record.request.ruleId);
      if (rule === undefined || rule.lift !== undefined) await voidRequest(record.request, 'the rule was lifted');
      else live.push(record);
    }
    return live;
  }

  return {
    async request(principal, record, reason, to, force = false) {
      const at = now();
      const actor = actorOf(principal);
      const request: RestoreRequest = {
        id: randomId('rq'),
        ruleId: record.rule.id,
        scope: record.rule.scope,
        mode: record.rule.mode,
        to,
        requestedBy: actor,
        reason,
        at,
        ...(force ? { force: true as const } : {}),
      };
      await store.restoreRequests.create(request, {
        at,
        action: 'restore-requested',
        actor,
        reason,
        scope: record.rule.scope,
        ruleId: record.rule.id,
        data: { requestId: request.id, mode: record.rule.mode, to, ...(force ? { force: true } : {}) },
      });
      deps.notify('restore-requests');
      deps.notify('audit');
      return request;
    },

    async pending(principal) {
      // A tenant's admin can confirm only its tenant's requests, so it is shown only those.
      return (await pendingRecords())
        .map((record) => record.request)
        .filter((request) => isWithinTenant(principal, request.scope));
    },

    async confirm(principal, id, reason, force = false) {
      const found = await store.restoreRequests.get(id);
      if (found === undefined || found.resolution !== undefined || !isWithinTenant(principal, found.request.scope)) {
        throw new EstopError({ code: 'not_found', message: `no pending restore request ${id}` });
      }
      const { request } = found;
      requireScopeWithinTenant(principal, request.scope);
      const actor = actorOf(principal);
      // One principal is one person, however many tokens (or names) it holds.
      if (samePrincipal(actor, request.requestedBy)) {
        throw new EstopError({
          code: 'forbidden',
          message: `a second admin is needed: ${request.requestedBy.id} made restore request ${id}, and ${actor.id} is the same principal`,
          details: { requestId: id },
        });
      }
      const record = await store.rules.get(request.ruleId);
      if (record === undefined || record.lift !== undefined) {
        await voidRequest(request, 'the rule was lifted');
        throw new EstopError({
          code: 'conflict',
          message: `rule ${request.ruleId} is no longer active; restore request ${id} is void`,
          details: { requestId: id, ruleId: request.ruleId },
        });
      }
      const cause = await requireCauseEnded(deps.causes, record.rule, force || request.force === true);
      const at = now();
      let result: RestoreResult;
      try {
        result = await commitRestore({
          ...deps,
          record,
          actor,
          reason,
          at,
          to: request.to,
          liftData: cause === undefined ? undefined : { force: true, cause },
          audit: [
            {
              at,
              action: 'restore-confirmed',
              actor,
              reason,
              scope: request.scope,
              ruleId: request.ruleId,
              data: { requestId: id, requestedBy: request.requestedBy.id, to: request.to },
            },
          ],
        });
      } catch (error) {
        // Another admin or replica lifted the rule first: this request has nothing left to do.
        if (isEstopError(error, 'rule_not_found')) await voidRequest(request, 'the rule was lifted');
        throw error;
      }
      await store.restoreRequests.resolve(id, { outcome: 'confirmed', actor, reason, at });
      deps.notify('restore-requests');
      await voidOthers(request.ruleId);
      return { ...result, request };
    },

    voidFor: voidOthers,

    async expire() {
      const cutoff = clock.now() - deps.requestTtlMs;
      let count = 0;
      for (const { request } of await store.restoreRequests.list({ pending: true })) {
        if (Date.parse(request.at) > cutoff) continue;
        const reason = `unconfirmed for ${Math.round(deps.requestTtlMs / 1000)} s`;
        if (await endRequest(request, reason, true)) count += 1;
      }
      return count;
    },
  };
}
