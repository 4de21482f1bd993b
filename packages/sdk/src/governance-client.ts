import {
  ERROR_CODES,
  EstopError,
  type ApprovalView,
  type BlockReport,
  type Clock,
  type Draft,
  type ErrorCode,
  type IdempotencyBatchResult,
  type IdempotencyClaimAnswer,
  type IdempotencyStore,
  type Sha256,
} from '@estop/core';
import { ROUTES, pathTo } from '@estop/client';
import { JsonText, type ControlPlaneClient } from './control-plane-client.js';
import { DirectKeys, type KeyClaim } from './direct-keys.js';
import { IdempotencyBatch, type KeyOp } from './idempotency-batch.js';

/** The call fields that approvals and drafts carry (`docs/api.md`): a draft's, less what the control plane adds. */
export type GovernedCallFields = Omit<Draft, 'id' | 'actor' | 'at'>;

/** Every request of a long poll is given this long beyond its wait before it counts as lost. */
const LONG_POLL_SLACK_MS = 10_000;

/**
 * The enforcer's side of approvals, drafts, idempotency and blocked-call reports
 * (`docs/api.md`, "Approvals, drafts, idempotency, blocked calls"). Each method throws the
 * EstopError the answer maps to; an abort through `signal` is rethrown as its reason.
 *
 * Claims, completions and releases of idempotency keys that fail at one replica are sent once
 * more to the next: replicas share the keys, so a claim that the failed replica did take is
 * seen by the next as held (`pending`), and the write waits or is refused, never run twice.
 */
export class GovernanceClient {
  readonly #client: ControlPlaneClient;
  /** Claims and releases, which a caller waits on. */
  readonly #keys: IdempotencyBatch;
  /**
   * Completions and observations, which nobody waits on, in requests of their own: a batch of
   * claims never waits while the control plane carries out the completions of earlier writes.
   */
  readonly #settled: IdempotencyBatch;

  readonly #direct: DirectKeys | undefined;

  /**
   * With `keys`, the guard keeps idempotency keys in that store itself (see DirectKeys) and
   * tells the control plane what it observed in the batches; failures to tell go to `onError`.
   */
  constructor(
    client: ControlPlaneClient,
    direct?: {
      keys?: IdempotencyStore | undefined;
      clock: Clock;
      sha256: Sha256;
      onError: (error: EstopError) => void;
    },
  ) {
    this.#client = client;
    const path = pathTo(ROUTES.idempotencyBatch);
    const send = async (ops: KeyOp[], body: string): Promise<IdempotencyBatchResult[]> => {
      const answer = (await client.send(
        'POST',
        path,
        'claim or settle idempotency keys',
        new JsonText(body),
        NO_ABORT,
        undefined,
        true,
      )) as { results?: unknown } | undefined;
      if (!Array.isArray(answer?.results) || answer.results.length !== ops.length) {
        throw malformed('claim or settle idempotency keys');
      }
      return answer.results as IdempotencyBatchResult[];
    };
    this.#keys = new IdempotencyBatch(send);
    this.#settled = new IdempotencyBatch(send);
    if (direct?.keys !== undefined) {
      const { onError } = direct;
      this.#direct = new DirectKeys(direct.keys, direct.clock, direct.sha256, (observation) => {
        const op = { op: 'observed', ...observation } as const;
        this.#settled.run(op, JSON.stringify(op), undefined, true).catch((error: unknown) =>
          onError(
            new EstopError({
              code: 'unavailable',
              message: `could not tell the control plane of a ${observation.kind} of ${observation.tool}, for its sentinels and audit log: ${(error as Error).message}`,
              cause: error,
            }),
          ),
        );
      });
    }
  }

  /**
   * Carries `op` (`text`, its JSON) in a batch with the others of the moment, or on `single`
   * when it is too large to share a request; a problem answered for it alone is thrown as its
   * EstopError. A `deferred` one (a completion) goes with the other completions, and may wait
   * briefly for company.
   */
  async #batched(
    op: KeyOp,
    text: string,
    signal: AbortSignal,
    single: () => Promise<unknown>,
    deferred = false,
  ): Promise<unknown> {
    if (text.length > IdempotencyBatch.maxBytes) return single();
    const result = await (deferred ? this.#settled : this.#keys).run(op, text, signal, deferred);
    if (result.status === 'error') {
      const code = (ERROR_CODES as readonly string[]).includes(result.code) ? (result.code as ErrorCode) : 'conflict';
      throw new EstopError({
        code,
        message: `the control plane refused to ${op.op} an idempotency key: ${result.detail}`,
      });
    }
    return result;
  }

  async requestApproval(
    fields: GovernedCallFields & { timeoutMs: number },
    signal: AbortSignal,
  ): Promise<ApprovalView> {
    const answer = await this.#client.send(
      'POST',
      pathTo(ROUTES.requestApproval),
      'request an approval',
      fields,
      signal,
    );
    return approvalFrom(answer, 'request an approval');
  }

  /** The approval; with `waitMs`, held by the control plane until it is decided or the wait passes. */
  async approval(id: string, waitMs: number, signal: AbortSignal): Promise<ApprovalView> {
    const path = pathTo(ROUTES.getApproval, { id }, { wait: waitMs > 0 ? Math.round(waitMs) : undefined });
    const answer = await this.#client.send(
      'GET',
      path,
      `read approval ${id}`,
      undefined,
      signal,
      waitMs + LONG_POLL_SLACK_MS,
    );
    return approvalFrom(answer, `read approval ${id}`);
  }

  /** Marks an approved call as run; `conflict` unless it is approved, unused and `hash` is its call's. */
  async consumeApproval(id: string, hash: string, signal: AbortSignal): Promise<ApprovalView> {
    const path = pathTo(ROUTES.consumeApproval, { id });
    const answer = await this.#client.send('POST', path, `use approval ${id}`, { hash }, signal);
    return approvalFrom(answer, `use approval ${id}`);
  }

  async recordDraft(fields: GovernedCallFields, signal: AbortSignal): Promise<Draft> {
    const answer = (await this.#client.send('POST', pathTo(ROUTES.recordDraft), 'record a draft', fields, signal)) as
      Draft | undefined;
    if (typeof answer?.id !== 'string') throw malformed('record a draft');
    return answer;
  }

  async claim(input: KeyClaim, signal: AbortSignal): Promise<IdempotencyClaimAnswer> {
    if (this.#direct !== undefined) return this.#direct.claim(input, signal);
    // First without waiting, with the claims of the moment; only a key held by a write still
    // running waits for it, alone, on the claim route.
    const { waitMs, ...fields } = input;
    const op: KeyOp = { op: 'claim', ...fields };
    const first = (await this.#batched(op, JSON.stringify(op), signal, () => this.#claim(input, signal))) as
      IdempotencyClaimAnswer | undefined;
    if (first?.status === 'pending' && waitMs > 0) return this.#claim(input, signal);
    return checkedClaim(first);
  }

  async #claim(input: KeyClaim, signal: AbortSignal): Promise<IdempotencyClaimAnswer> {
    const answer = (await this.#client.send(
      'POST',
      pathTo(ROUTES.claimIdempotency),
      'claim an idempotency key',
      input,
      signal,
      input.waitMs + LONG_POLL_SLACK_MS,
      true,
    )) as IdempotencyClaimAnswer | undefined;
    return checkedClaim(answer);
  }

  /** Completes a claim with its call's result, `resultJson` (written once, carried as it is). */
  async complete(
    input: { tenant: string; tool: string; key: string; claimId: string; resultJson: string },
    signal: AbortSignal,
  ): Promise<void> {
    if (this.#direct !== undefined) return this.#direct.complete(input);
    const { resultJson, ...held } = input;
    const fields = JSON.stringify(held).slice(0, -1);
    const path = pathTo(ROUTES.completeIdempotency);
    await this.#batched(
      { op: 'complete', ...held },
      `{"op":"complete",${fields.slice(1)},"result":${resultJson}}`,
      signal,
      () =>
        this.#client.send(
          'POST',
          path,
          'complete an idempotent call',
          new JsonText(`${fields},"result":${resultJson}}`),
          signal,
          undefined,
          true,
        ),
      true,
    );
  }

  /** Gives a claim's key back; `failed` (with agent and run) says the call ran and failed. */
  async release(
    input: {
      tenant: string;
      tool: string;
      key: string;
      claimId: string;
      failed?: boolean | undefined;
      agent?: string | undefined;
      run?: string | undefined;
    },
    signal: AbortSignal,
  ): Promise<void> {
    if (this.#direct !== undefined) return this.#direct.release(input);
    const path = pathTo(ROUTES.releaseIdempotency);
    const op: KeyOp = { op: 'release', ...input, failed: input.failed ?? false };
    await this.#batched(op, JSON.stringify(op), signal, () =>
      this.#client.send('POST', path, 'release an idempotency key', input, signal, undefined, true),
    );
  }

  async reportBlocks(enforcerId: string, report: BlockReport, signal: AbortSignal): Promise<void> {
    const path = pathTo(ROUTES.reportBlocks, { id: enforcerId });
    await this.#client.send('POST', path, 'report blocked calls', report, signal);
  }
}

const NO_ABORT = new AbortController().signal;

function checkedClaim(answer: IdempotencyClaimAnswer | undefined): IdempotencyClaimAnswer {
  const status = answer?.status;
  if (status !== 'claimed' && status !== 'done' && status !== 'pending') throw malformed('claim an idempotency key');
  return answer as IdempotencyClaimAnswer;
}

function approvalFrom(answer: unknown, action: string): ApprovalView {
  const view = answer as ApprovalView | undefined;
  if (typeof view?.id !== 'string' || typeof view.status !== 'string' || typeof view.expiresAt !== 'string') {
    throw malformed(action);
  }
  return view;
}

function malformed(action: string): EstopError {
  return new EstopError({
    code: 'unavailable',
    message: `the control plane's answer to ${action} is not what docs/api.md describes`,
  });
}
