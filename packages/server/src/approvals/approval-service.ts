import {
  EstopError,
  SYSTEM_ACTOR,
  approvalHash,
  approvalStatus,
  approvalView,
  isScheduled,
  type ApprovalCall,
  type ApprovalDecision,
  type ApprovalRecord,
  type ApprovalRequest,
  type ApprovalRequestInput,
  type ApprovalView,
  type Clock,
  type ApprovalStore,
  type Rule,
} from '@estop/core';
import { decisionAtExecution, modeVoidsApprovals, ruleVoidsApproval } from './approval-coverage.js';
import type { ChangeHub } from '../stream/change-hub.js';
import { LongPoll } from './long-poll.js';
import type { OperatorTopic } from '../stream/operator-events.js';
import { actorOf, canSee, requireScopeWithinTenant, type Principal } from '../tokens/principal.js';
import type { RuleService } from '../rules/rule-service.js';
import { randomId, sha256Hex } from '../tokens/token-secret.js';

/** How long an undecided request waits before it expires, unless the enforcer asks otherwise. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 5 * 60_000;
/** How often a long poll re-reads the store, for decisions made on another replica. */
const REMOTE_POLL_MS = 250;

type Decided = Exclude<ApprovalDecision['outcome'], 'approved' | 'denied'>;

/** What ApprovalService is built from: only the dependencies it uses. */
export interface ApprovalServiceDeps {
  approvals: ApprovalStore;
  hub: ChangeHub;
  /** Where a rule an approval request names is checked against the requesting token. */
  rules: Pick<RuleService, 'requireReportable'>;
  clock: Clock;
  notify: (topic: OperatorTopic) => void;
}

/**
 * Approvals of writes under `approval_gated`: requested by enforcers, decided by operators,
 * expired and voided by the system, and used once by the approved call.
 */
export class ApprovalService {
  readonly #poll = new LongPoll();
  #closed = false;

  constructor(private readonly deps: ApprovalServiceDeps) {}

  /** An enforcer asks for an operator's approval of one call; the hash binds it to that call. */
  async request(principal: Principal, input: ApprovalRequestInput): Promise<ApprovalView> {
    requireScopeWithinTenant(principal, { tenant: input.tenant });
    if (input.ruleId !== undefined) {
      await this.deps.rules.requireReportable(principal, input.ruleId, input.tenant);
    }
    const now = this.deps.clock.now();
    const call: ApprovalCall = {
      tenant: input.tenant,
      agent: input.agent,
      run: input.run,
      tool: input.tool,
      args: input.args,
    };
    const request: ApprovalRequest = {
      id: randomId('ap'),
      hash: approvalHash(sha256Hex, call),
      call,
      ruleId: input.ruleId,
      enforcer: input.enforcer,
      requestedBy: { id: principal.name, kind: 'agent' },
      at: new Date(now).toISOString(),
      expiresAt: new Date(now + (input.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS)).toISOString(),
    };
    await this.deps.approvals.create(request, {
      at: request.at,
      action: 'approval-requested',
      actor: request.requestedBy,
      reason: `approval requested for ${call.tool}`,
      scope: { tenant: call.tenant, agent: call.agent, run: call.run, tool: call.tool },
      ruleId: request.ruleId,
      data: {
        approvalId: request.id,
        tool: call.tool,
        hash: request.hash,
        enforcer: request.enforcer,
        expiresAt: request.expiresAt,
      },
    });
    this.#changed();
    return approvalView({ request });
  }

  /** Approvals the principal may see: pending ones oldest first, or the latest 1000 of any status. */
  async list(principal: Principal, query: { pending: boolean }): Promise<ApprovalView[]> {
    const records = await this.deps.approvals.list({ pending: query.pending, tenant: principal.tenant });
    return records.map((record) => approvalView(record));
  }

  /** One approval; with `waitMs`, held until it is no longer pending or the wait passes. */
  async get(principal: Principal, id: string, waitMs: number): Promise<ApprovalView> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const record = await this.#settled(await this.#visible(principal, id));
      const left = deadline - Date.now();
      if (approvalStatus(record) !== 'pending' || left <= 0 || this.#closed) return approvalView(record);
      await this.#poll.pause(
        id,
        Math.min(left, REMOTE_POLL_MS, Date.parse(record.request.expiresAt) - this.deps.clock.now() + 1),
      );
    }
  }

  /** An operator approves or denies a pending request; `conflict` when it is no longer pending. */
  async decide(
    principal: Principal,
    id: string,
    outcome: 'approved' | 'denied',
    reason: string,
  ): Promise<ApprovalView> {
    const record = await this.#settled(await this.#visible(principal, id));
    const actor = actorOf(principal);
    const decision: ApprovalDecision = { outcome, actor, reason, at: new Date(this.deps.clock.now()).toISOString() };
    if (approvalStatus(record) !== 'pending' || !(await this.#decide(record.request, decision))) {
      const now = await this.deps.approvals.get(id);
      throw new EstopError({
        code: 'conflict',
        message: `approval ${id} is no longer pending: it is ${now === undefined ? 'gone' : approvalStatus(now)}`,
        details: { approvalId: id },
      });
    }
    return approvalView({ request: record.request, decision });
  }

  /**
   * The approved call runs: marks the approval used, once, if `hash` is its call's and the
   * current state still lets the call through with an approval.
   */
  async consume(principal: Principal, id: string, hash: string): Promise<ApprovalView> {
    const record = await this.#settled(await this.#visible(principal, id));
    const status = approvalStatus(record);
    const refuse = (message: string) =>
      new EstopError({
        code: 'conflict',
        message: `approval ${id} cannot be used: ${message}`,
        details: { approvalId: id, approvalStatus: status },
      });
    if (status !== 'approved') throw refuse(`it is ${status}`);
    if (hash !== record.request.hash) throw refuse('the call is not the one that was approved (hash mismatch)');
    const now = this.deps.clock.now();
    const current = decisionAtExecution(this.deps.hub.snapshot(), record.request.call, now);
    if (current.outcome !== 'allow' && current.outcome !== 'needs_approval') {
      throw refuse(`rule ${current.ruleId ?? '?'} (${current.mode ?? current.outcome}) now covers the call`);
    }
    const usedAt = new Date(now).toISOString();
    if (!(await this.deps.approvals.consume(id, hash, usedAt))) throw refuse('it was used already');
    this.#changed(id);
    return approvalView({ ...record, usedAt });
  }

  /** Marks pending requests past their `expiresAt` expired, as the system. Returns how many. */
  async expire(): Promise<number> {
    const now = this.deps.clock.now();
    let count = 0;
    for (const record of await this.deps.approvals.list({ pending: true })) {
      if (Date.parse(record.request.expiresAt) <= now && (await this.#system(record.request, 'expired', now)))
        count += 1;
    }
    return count;
  }

  /**
   * Voids requests, pending or approved but not yet used, that newly created rules more
   * restrictive than `approval_gated` cover.
   */
  async voidCoveredBy(rules: readonly Rule[]): Promise<number> {
    if (!rules.some((rule) => modeVoidsApprovals(rule.mode))) return 0;
    const open = (await this.deps.approvals.list()).filter((record) =>
      ['pending', 'approved'].includes(approvalStatus(record)),
    );
    // Only rules still in force: a replica catching up replays creations of rules since lifted,
    // and a scheduled rule voids what it covers when it starts, not before.
    const active = new Set(this.deps.hub.snapshot().rules.map((rule) => rule.id));
    const nowMs = this.deps.clock.now();
    const voiding = rules.filter(
      (rule) => modeVoidsApprovals(rule.mode) && active.has(rule.id) && !isScheduled(rule, nowMs),
    );
    let count = 0;
    for (const record of open) {
      const rule = voiding.find((candidate) => ruleVoidsApproval(candidate, record.request.call));
      if (rule !== undefined && (await this.#system(record.request, 'voided', this.deps.clock.now(), rule))) count += 1;
    }
    return count;
  }

  /** Releases every long poll (on close). */
  close(): void {
    this.#closed = true;
    this.#poll.wakeAll();
  }

  async #visible(principal: Principal, id: string): Promise<ApprovalRecord> {
    const record = await this.deps.approvals.get(id);
    if (record === undefined || !canSee(principal, { tenant: record.request.call.tenant })) {
      throw new EstopError({ code: 'not_found', message: `no approval ${id}` });
    }
    return record;
  }

  /** The record, expired first if it is pending past its `expiresAt` (the timer may not have run yet). */
  async #settled(record: ApprovalRecord): Promise<ApprovalRecord> {
    const now = this.deps.clock.now();
    if (approvalStatus(record) !== 'pending' || Date.parse(record.request.expiresAt) > now) return record;
    await this.#system(record.request, 'expired', now);
    return (await this.deps.approvals.get(record.request.id)) ?? record;
  }

  async #system(request: ApprovalRequest, outcome: Decided, nowMs: number, rule?: Rule): Promise<boolean> {
    const reason =
      rule === undefined
        ? `undecided at ${request.expiresAt}`
        : `rule ${rule.id} (${rule.mode}) covers the call: ${rule.reason}`;
    const decision: ApprovalDecision = { outcome, actor: SYSTEM_ACTOR, reason, at: new Date(nowMs).toISOString() };
    return this.#decide(request, decision, rule?.id);
  }

  async #decide(request: ApprovalRequest, decision: ApprovalDecision, voidingRule?: string): Promise<boolean> {
    const { call } = request;
    const decided = await this.deps.approvals.decide(request.id, decision, {
      at: decision.at,
      action: `approval-${decision.outcome}`,
      actor: decision.actor,
      reason: decision.reason,
      scope: { tenant: call.tenant, agent: call.agent, run: call.run, tool: call.tool },
      ruleId: voidingRule ?? request.ruleId,
      data: { approvalId: request.id, tool: call.tool, hash: request.hash, requestedBy: request.requestedBy.id },
    });
    if (decided) this.#changed(request.id);
    return decided;
  }

  #changed(id?: string): void {
    if (id !== undefined) this.#poll.wake(id);
    this.deps.notify('approvals');
    this.deps.notify('audit');
  }
}
