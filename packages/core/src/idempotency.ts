import { canonicalJson } from './canonical-json.js';
import type { Sha256 } from './audit.js';

/**
 * What a claim on an idempotency key found:
 * - `claimed`: the caller is first (or the earlier claim expired or was released) and must run
 *   the call, then `complete` or `release` with its `claimId`;
 * - `done`: an earlier call with this key finished within the window; `result` is its JSON;
 * - `pending`: an earlier call with this key is still running.
 */
export type IdempotencyClaim =
  { status: 'claimed'; claimId: string } | { status: 'done'; result: string } | { status: 'pending' };

/** What `POST /v1/idempotency/claim` answers: the claim, with the key it was made on. */
export type IdempotencyClaimAnswer =
  | { status: 'claimed'; key: string; claimId: string }
  | { status: 'done'; key: string; result: unknown }
  | { status: 'pending'; key: string };

/**
 * One answer of `POST /v1/idempotency/batch`, in the order of its operations: a claim's answer,
 * `ok` for a completion or release that held, or the problem of one that did not.
 */
export type IdempotencyBatchResult =
  IdempotencyClaimAnswer | { status: 'ok' } | { status: 'error'; code: string; detail: string };

/**
 * The key a write carries when its caller gives none: sha256 of the canonical JSON of
 * `{tenant, tool, args}`, so the same call with the same arguments is the same write.
 * Keys are always kept per tenant and tool (see `scopedIdempotencyKey`).
 */
export function derivedIdempotencyKey(sha256: Sha256, call: { tenant: string; tool: string; args: unknown }): string {
  return sha256(canonicalJson({ tenant: call.tenant, tool: call.tool, args: call.args ?? null }));
}

/**
 * The stored form of a key: one tenant's keys can never match another's, and a key one tool
 * used is another key for any other tool, so a write is never answered with another tool's
 * result. Names hold no line breaks, so the parts cannot run into each other.
 */
export function scopedIdempotencyKey(tenant: string, tool: string, key: string): string {
  return `${tenant}\n${tool}\n${key}`;
}
