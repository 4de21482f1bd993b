import {
  EstopError,
  derivedIdempotencyKey,
  scopedIdempotencyKey,
  type Clock,
  type IdempotencyBatchOp,
  type IdempotencyBatchResult,
  type IdempotencyClaim,
  type IdempotencyClaimAnswer,
  type IdempotencyClaimInput,
  type IdempotencyStore,
} from '@estop/core';
import type { AuditAggregator } from '../audit/audit-aggregator.js';
import type { SentinelObserver } from '../sentinels/sentinel-service.js';
import { requireScopeWithinTenant, type Principal } from '../tokens/principal.js';
import { sha256Hex } from '../tokens/token-secret.js';

/** How often a waiting claim looks again whether the first call has finished. */
const RECLAIM_MS = 20;

/** What IdempotencyService is built from: only the dependencies it uses. */
export interface IdempotencyServiceDeps {
  keys: IdempotencyStore;
  clock: Clock;
  aggregator: AuditAggregator;
  sentinel?: SentinelObserver | undefined;
}

/**
 * Idempotency keys of write calls over an IdempotencyStore (the control plane's store, or
 * Redis): keys are kept per tenant and tool, and each suppressed duplicate is counted for the audit log.
 */
export class IdempotencyService {
  constructor(private readonly deps: IdempotencyServiceDeps) {}

  /** Claims the call's key; while the first call runs, waits up to `waitMs` for its result. */
  async claim(principal: Principal, input: IdempotencyClaimInput): Promise<IdempotencyClaimAnswer> {
    requireScopeWithinTenant(principal, { tenant: input.tenant });
    const key = input.key ?? this.#derived(input);
    const scoped = scopedIdempotencyKey(input.tenant, input.tool, key);
    const deadline = Date.now() + input.waitMs;
    let claim = await this.deps.keys.claim(scoped, this.deps.clock.now(), input.windowMs);
    while (claim.status === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(RECLAIM_MS, deadline - Date.now())));
      claim = await this.deps.keys.claim(scoped, this.deps.clock.now(), input.windowMs);
    }
    return this.#answer(principal, input, key, claim);
  }

  /** A claim in a batch: once, never waiting; its tenant was checked with the batch's. */
  #claimOnce(principal: Principal, op: ClaimOp): Promise<IdempotencyClaimAnswer> {
    const key = op.key ?? this.#derived(op);
    return this.deps.keys
      .claim(scopedIdempotencyKey(op.tenant, op.tool, key), this.deps.clock.now(), op.windowMs)
      .then((claim) => this.#answer(principal, op, key, claim));
  }

  #derived(input: { tenant: string; tool: string; args?: unknown }): string {
    return derivedIdempotencyKey(sha256Hex, { tenant: input.tenant, tool: input.tool, args: input.args });
  }

  /** What the caller is told of its claim; a write or a duplicate is counted for the sentinels and the audit log. */
  #answer(principal: Principal, input: ClaimOp, key: string, claim: IdempotencyClaim): IdempotencyClaimAnswer {
    if (claim.status === 'claimed') {
      this.deps.sentinel?.observe('writes', input);
      return { status: 'claimed', key, claimId: claim.claimId };
    }
    this.deps.sentinel?.observe('duplicates', input);
    this.deps.aggregator.duplicate(principal.name, input.enforcer ?? principal.name, input.tenant, input.tool);
    if (claim.status === 'pending') return { status: 'pending', key };
    return { status: 'done', key, result: JSON.parse(claim.result) as unknown };
  }

  /** Stores the claimed call's result; `conflict` when the claim no longer holds the key. */
  async complete(
    principal: Principal,
    input: { tenant: string; tool: string; key: string; claimId: string; result: unknown },
  ): Promise<void> {
    this.#check(principal, input.tenant);
    const scoped = scopedIdempotencyKey(input.tenant, input.tool, input.key);
    if (!(await this.deps.keys.complete(scoped, input.claimId, JSON.stringify(input.result ?? null)))) {
      throw lost(input.key, input.claimId);
    }
  }

  /** Gives the key up so a retry may run; `conflict` when the claim no longer holds it. */
  async release(
    principal: Principal,
    input: {
      tenant: string;
      tool: string;
      key: string;
      claimId: string;
      failed: boolean;
      agent?: string;
      run?: string;
    },
  ): Promise<void> {
    this.#check(principal, input.tenant);
    if (!(await this.deps.keys.release(scopedIdempotencyKey(input.tenant, input.tool, input.key), input.claimId))) {
      throw lost(input.key, input.claimId);
    }
    if (input.failed) {
      this.deps.sentinel?.observe('failures', {
        tenant: input.tenant,
        agent: input.agent,
        run: input.run,
        tool: input.tool,
      });
    }
  }

  /**
   * Many claims (none waiting), completions and releases at once, answered in order. Every
   * operation's tenant is checked before any is carried out, so a batch naming another tenant
   * is refused whole; then all run together, so a store that commits in groups writes them in
   * one transaction. A completion or release whose claim no longer holds answers its problem in
   * place; the others are unaffected.
   */
  async batch(principal: Principal, ops: readonly IdempotencyBatchOp[]): Promise<IdempotencyBatchResult[]> {
    for (const op of ops) this.#check(principal, op.tenant);
    return Promise.all(ops.map((op) => this.#batchOp(principal, op).catch(inPlace)));
  }

  #batchOp(principal: Principal, op: IdempotencyBatchOp): Promise<IdempotencyBatchResult> {
    switch (op.op) {
      case 'claim':
        return this.#claimOnce(principal, op);
      case 'complete':
        return this.complete(principal, op).then(() => OK);
      case 'release':
        return this.release(principal, op).then(() => OK);
      case 'observed':
        this.#observed(principal, op);
        return Promise.resolve(OK);
    }
  }

  /** Counts what an enforcer keeping its own keys did, as a claim or release here would have. */
  #observed(principal: Principal, op: Extract<IdempotencyBatchOp, { op: 'observed' }>): void {
    const call = { tenant: op.tenant, agent: op.agent, run: op.run, tool: op.tool };
    if (op.kind === 'write') this.deps.sentinel?.observe('writes', call);
    else if (op.kind === 'failure') this.deps.sentinel?.observe('failures', call);
    else {
      this.deps.sentinel?.observe('duplicates', call);
      this.deps.aggregator.duplicate(principal.name, op.enforcer ?? principal.name, op.tenant, op.tool);
    }
  }

  #check(principal: Principal, tenant: string): void {
    requireScopeWithinTenant(principal, { tenant });
  }
}

const OK: IdempotencyBatchResult = { status: 'ok' };

/** A claim as the service reads it, from the claim route or a batch. */
type ClaimOp = Omit<IdempotencyClaimInput, 'waitMs'>;

/** A completion or release whose claim no longer holds answers its problem in place; a failure of the store fails the batch. */
function inPlace(error: unknown): IdempotencyBatchResult {
  if (!(error instanceof EstopError) || error.code === 'internal' || error.code === 'unavailable') throw error;
  return { status: 'error', code: error.code, detail: error.message };
}

function lost(key: string, claimId: string): EstopError {
  return new EstopError({
    code: 'conflict',
    message: `claim ${claimId} no longer holds idempotency key ${key} (it expired or was released)`,
    details: { key, claimId },
  });
}
