import {
  EstopError,
  derivedIdempotencyKey,
  scopedIdempotencyKey,
  type Clock,
  type IdempotencyClaimAnswer,
  type IdempotencyStore,
  type Sha256,
} from '@estop/core';

/** How often a waiting claim looks again whether the first call has finished. */
const RECLAIM_MS = 20;

/** A write's claim of its key: without `key`, the key is derived from the arguments. */
export interface KeyClaim {
  tenant: string;
  tool: string;
  key?: string | undefined;
  args?: unknown;
  windowMs: number;
  /** While an identical write runs, how long to wait for its result. */
  waitMs: number;
  enforcer: string;
  agent?: string | undefined;
  run?: string | undefined;
}

/** What an enforcer keeping its own keys tells the control plane of, for its sentinels and audit log. */
export interface KeyObservation {
  kind: 'write' | 'duplicate' | 'failure';
  tenant: string;
  tool: string;
  agent?: string | undefined;
  run?: string | undefined;
  enforcer?: string | undefined;
}

/**
 * Idempotency keys kept by the enforcer itself in a store that every enforcer of the deployment
 * shares (Redis), with no round trip to the control plane: a write claims, completes and
 * releases its key there, kept per tenant and tool and derived from the arguments exactly as
 * the control plane does, so that enforcers on either path suppress each other's duplicates
 * only when they share the store. The control plane still hears, in the background, of each
 * first write, duplicate and failure (`observe`), for the sentinels and the audit log. A store
 * that cannot be reached fails the claim, so the write is not run.
 */
export class DirectKeys {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
    private readonly sha256: Sha256,
    private readonly observe: (observation: KeyObservation) => void,
  ) {}

  async claim(input: KeyClaim, signal: AbortSignal): Promise<IdempotencyClaimAnswer> {
    const key =
      input.key ?? derivedIdempotencyKey(this.sha256, { tenant: input.tenant, tool: input.tool, args: input.args });
    const scoped = scopedIdempotencyKey(input.tenant, input.tool, key);
    const deadline = this.clock.now() + input.waitMs;
    let claim = await this.store.claim(scoped, this.clock.now(), input.windowMs);
    while (claim.status === 'pending' && this.clock.now() < deadline) {
      await pause(Math.min(RECLAIM_MS, deadline - this.clock.now()), signal);
      claim = await this.store.claim(scoped, this.clock.now(), input.windowMs);
    }
    const call = {
      tenant: input.tenant,
      tool: input.tool,
      agent: input.agent,
      run: input.run,
      enforcer: input.enforcer,
    };
    if (claim.status === 'claimed') {
      this.observe({ kind: 'write', ...call });
      return { status: 'claimed', key, claimId: claim.claimId };
    }
    this.observe({ kind: 'duplicate', ...call });
    if (claim.status === 'pending') return { status: 'pending', key };
    return { status: 'done', key, result: JSON.parse(claim.result) as unknown };
  }

  async complete(input: {
    tenant: string;
    tool: string;
    key: string;
    claimId: string;
    resultJson: string;
  }): Promise<void> {
    const scoped = scopedIdempotencyKey(input.tenant, input.tool, input.key);
    if (!(await this.store.complete(scoped, input.claimId, input.resultJson))) {
      throw lost(input.key, input.claimId);
    }
  }

  async release(input: {
    tenant: string;
    tool: string;
    key: string;
    claimId: string;
    failed?: boolean | undefined;
    agent?: string | undefined;
    run?: string | undefined;
  }): Promise<void> {
    const released = await this.store.release(scopedIdempotencyKey(input.tenant, input.tool, input.key), input.claimId);
    if (input.failed === true) {
      this.observe({ kind: 'failure', tenant: input.tenant, tool: input.tool, agent: input.agent, run: input.run });
    }
    if (!released) throw lost(input.key, input.claimId);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function lost(key: string, claimId: string): EstopError {
  return new EstopError({
    code: 'conflict',
    message: `claim ${claimId} no longer holds idempotency key ${key} (it expired or was released)`,
    details: { key, claimId },
  });
}
