import { SYSTEM_ACTOR, killingRule } from '@estop/core';
import type {
  Actor,
  Clock,
  Rule,
  RunEnd,
  RunHeartbeat,
  RunRecord,
  RunsEnforcement,
  RunStart,
  Scope,
} from '@estop/core';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { RuleService } from '../rules/rule-service.js';
import type { OperatorTopic } from '../stream/operator-events.js';
import { canSee, requireScopeWithinTenant, type Principal } from '../tokens/principal.js';
import type { RunRegistry } from './run-registry.js';
import type { SharedRuns } from './shared-runs.js';

/** Who terminated a run, for the audit log: its budget, or estop itself (rules and timeouts). */
function terminationActor(run: RunRecord): Actor {
  return run.stopReason?.startsWith('budget_exceeded:') ? { id: `budget:${run.id}`, kind: 'system' } : SYSTEM_ACTOR;
}

/** What RunService is built from: only the dependencies it uses. */
export interface RunServiceDeps {
  runs: RunRegistry;
  /** The runs of every replica on the store, for listing and killing. */
  shared: Pick<SharedRuns, 'list' | 'get'>;
  rules: Pick<RuleService, 'create' | 'requireReportable'>;
  audit: AuditWriter;
  clock: Clock;
  notify: (topic: OperatorTopic) => void;
}

/** Runs: enforcers register, report and end them (a terminated run is audited); operators list and kill them. */
export class RunService {
  constructor(private readonly deps: RunServiceDeps) {}

  /** Registers a run of the principal's tenant. */
  start(principal: Principal, start: RunStart): RunRecord {
    requireScopeWithinTenant(principal, { tenant: start.tenant });
    const run = this.deps.runs.start(principal.id, start);
    this.deps.notify('runs');
    return run;
  }

  /** A heartbeat from the token that registered the run. */
  async heartbeat(principal: Principal, id: string, heartbeat: RunHeartbeat): Promise<void> {
    await this.#requireReportableStop(principal, id, heartbeat.stopReason);
    this.deps.runs.heartbeat(principal.id, id, heartbeat);
    this.deps.notify('runs');
  }

  /** The run ends; the first end with a stop reason other than `ended` is audited `run-terminated`. */
  async end(principal: Principal, id: string, end: RunEnd): Promise<void> {
    await this.#requireReportableStop(principal, id, end.stopReason);
    const { run, first } = this.deps.runs.end(principal.id, id, end);
    if (first && run.stopReason !== undefined && run.stopReason !== 'ended') {
      await this.deps.audit.append({
        at: run.endedAt ?? new Date(this.deps.clock.now()).toISOString(),
        action: 'run-terminated',
        actor: terminationActor(run),
        reason: run.stopReason,
        scope: { tenant: run.tenant, agent: run.agent, run: run.id },
        ruleId: killingRule(run.stopReason),
        data: { stopReason: run.stopReason, enforcer: run.enforcer, usage: run.usage },
      });
      this.deps.notify('audit');
    }
    this.deps.notify('runs');
  }

  /** The runs registered with any replica on the store that the principal may see. */
  async list(principal: Principal): Promise<RunRecord[]> {
    return (await this.deps.shared.list()).filter((run) => canSee(principal, { tenant: run.tenant }));
  }

  /** How far a rule has reached the runs it stops; a tenant's token counts its tenant's runs only. */
  enforcement(rule: Rule, tenant: string | undefined): RunsEnforcement | undefined {
    return this.deps.runs.enforcement(rule, tenant);
  }

  /**
   * Kills a run with a full stop on its scope, cancelling what it has in flight. The run may be
   * registered with another replica (it is then found in the store) or with none yet: the rule
   * reaches it wherever its guard is connected.
   */
  async kill(
    principal: Principal,
    id: string,
    reason: string,
  ): Promise<{ rule: Rule; version: number; run: RunRecord | null }> {
    const known = await this.deps.shared.get(id).catch(() => this.deps.runs.get(id));
    const visible = known !== undefined && canSee(principal, { tenant: known.tenant }) ? known : undefined;
    const tenant = visible?.tenant ?? principal.tenant;
    const scope: Scope = tenant === undefined ? { run: id } : { tenant, run: id };
    const created = await this.deps.rules.create(principal, {
      scope,
      mode: 'full_stop',
      reason,
      cancelInFlight: true,
    });
    this.deps.notify('runs');
    return { ...created, run: visible ?? null };
  }

  /**
   * Refuses (403) a stop reason `killed:<ruleId>` naming a rule the reporting token may not report
   * on for the run's tenant (see requireReportableRule), so no run is put down to another tenant's rule.
   */
  async #requireReportableStop(principal: Principal, id: string, stopReason: string | undefined): Promise<void> {
    const run = this.deps.runs.get(id);
    const ruleId = killingRule(stopReason);
    if (run === undefined || ruleId === undefined) return;
    await this.deps.rules.requireReportable(principal, ruleId, run.tenant);
  }
}
