import {
  EstopError,
  type BlockReport,
  type Enforcement,
  type EnforcerRecord,
  type EnforcerRegistration,
  type RunsEnforcement,
} from '@estop/core';
import type { AuditAggregator } from '../audit/audit-aggregator.js';
import type { RuleService } from '../rules/rule-service.js';
import type { RunService } from '../runs/run-service.js';
import type { ChangeHub } from '../stream/change-hub.js';
import type { OperatorTopic } from '../stream/operator-events.js';
import type { ViewFreshness } from '../stream/view-freshness.js';
import { canSee, requireScopeWithinTenant, type Principal } from '../tokens/principal.js';
import type { EnforcerRegistry } from './enforcer-registry.js';

/** One enforcer's acknowledgement of a version, with the calls it has in flight. */
export interface EnforcerAck {
  id: string;
  version: number;
  inFlight: number;
}

/** What EnforcerService is built from: only the dependencies it uses. */
export interface EnforcerServiceDeps {
  registry: EnforcerRegistry;
  rules: Pick<RuleService, 'find' | 'requireReportable'>;
  runs: Pick<RunService, 'enforcement'>;
  aggregator: Pick<AuditAggregator, 'blocks'>;
  hub: Pick<ChangeHub, 'snapshot'>;
  /** Whether this replica's view of the store is current: its answers about versions require it. */
  view: Pick<ViewFreshness, 'requireCurrent'>;
  notify: (topic: OperatorTopic) => void;
}

/**
 * Enforcers register, acknowledge versions and report the calls they blocked; operators ask
 * which enforcers there are and whether a version (and a rule's stop of runs) is enforced.
 */
export class EnforcerService {
  constructor(private readonly deps: EnforcerServiceDeps) {}

  /** Registers an enforcer as the principal's, in the principal's tenant. */
  async register(principal: Principal, registration: EnforcerRegistration): Promise<EnforcerRecord> {
    await this.deps.registry.requireRegistrable(registration.id, principal.tenant);
    const record = this.deps.registry.register(registration, principal.id, principal.tenant);
    this.deps.notify('enforcers');
    return record;
  }

  /** One acknowledgement; `not_found` unless the principal registered the enforcer. */
  ack(principal: Principal, ack: EnforcerAck): void {
    if (!this.deps.registry.ack(ack.id, ack.version, ack.inFlight, principal.id)) {
      throw new EstopError({ code: 'not_found', message: `enforcer ${ack.id} is not registered by this token` });
    }
    this.deps.notify('enforcers');
  }

  /**
   * Deregisters an enforcer that is closing: it leaves this replica's memory, the counts of waits
   * and enforcement, the store and the list at once; its audit entries stay. `not_found` unless
   * the principal registered it (with this replica).
   */
  async deregister(principal: Principal, id: string): Promise<void> {
    if (!(await this.deps.registry.deregister(id, principal.id))) {
      throw new EstopError({ code: 'not_found', message: `enforcer ${id} is not registered by this token` });
    }
    this.deps.notify('enforcers');
  }

  /** A batch of acknowledgements; answers the ids the principal did not register. */
  ackAll(principal: Principal, acks: readonly EnforcerAck[]): string[] {
    const unknown = acks
      .filter((ack) => !this.deps.registry.ack(ack.id, ack.version, ack.inFlight, principal.id))
      .map((ack) => ack.id);
    this.deps.notify('enforcers');
    return unknown;
  }

  /**
   * Counts of blocked calls, for the audit log. Each count is checked against the reporting
   * token: a tenant's token reports its own tenant's calls (a count naming no tenant is its
   * tenant's), against rules that can cover them; an unbound token's count against a tenant's
   * rule is that tenant's.
   */
  async reportBlocks(principal: Principal, id: string, report: BlockReport): Promise<void> {
    // Like acknowledgements: only the token that registered the enforcer reports for it.
    if (!this.deps.registry.owns(id, principal.id)) {
      throw new EstopError({ code: 'not_found', message: `enforcer ${id} is not registered by this token` });
    }
    const counts = [];
    for (const count of report.counts) {
      let tenant = count.tenant ?? principal.tenant;
      if (tenant !== undefined) requireScopeWithinTenant(principal, { tenant });
      if (count.ruleId !== undefined) {
        const rule = await this.deps.rules.requireReportable(principal, count.ruleId, tenant);
        tenant ??= rule.scope.tenant;
      }
      counts.push(tenant === undefined ? count : { ...count, tenant });
    }
    this.deps.aggregator.blocks(principal.name, id, { ...report, counts });
  }

  /**
   * The enforcers the principal may see (a tenant's token: its tenant's), each marked current or
   * not. `unavailable` while this replica's view of the store may be behind: "current" would be
   * measured against an old version.
   */
  async list(principal: Principal): Promise<{ version: number; enforcers: (EnforcerRecord & { current: boolean })[] }> {
    this.deps.view.requireCurrent();
    const version = this.deps.hub.snapshot().version;
    const enforcers = (await this.deps.registry.list(principal.tenant)).map((record) => ({
      ...record,
      current: record.version >= version,
    }));
    return { version, enforcers };
  }

  /**
   * Whether `version` is enforced, waiting up to `waitMs`; with `ruleId`, also how far that rule
   * has reached the runs it stops. A tenant's token counts its tenant's enforcers and runs only.
   * `unavailable`, before waiting and at the end of the wait, while this replica's view of the
   * store may be behind: a view that is behind is never reported as enforcement.
   */
  async enforcement(
    principal: Principal,
    version: number,
    waitMs: number,
    ruleId: string | undefined,
  ): Promise<Enforcement & { runs?: RunsEnforcement | undefined }> {
    this.deps.view.requireCurrent();
    const enforcement = await this.deps.registry.waitFor(version, waitMs, principal.tenant);
    if (ruleId === undefined) {
      this.deps.view.requireCurrent();
      return enforcement;
    }
    const rule = await this.deps.rules.find(ruleId);
    if (rule === undefined || !canSee(principal, rule.scope)) {
      throw new EstopError({ code: 'rule_not_found', message: `no rule ${ruleId}` });
    }
    const runs = this.deps.runs.enforcement(rule, principal.tenant);
    this.deps.view.requireCurrent();
    return { ...enforcement, runs };
  }
}
