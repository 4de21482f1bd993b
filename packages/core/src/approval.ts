import type { Actor } from './actor.js';
import { canonicalJson } from './canonical-json.js';
import type { Sha256 } from './audit.js';

/** The call an approval is for: who makes it and what it does, arguments included. */
export interface ApprovalCall {
  tenant: string;
  agent?: string | undefined;
  run?: string | undefined;
  tool: string;
  /** The call's arguments, as JSON. */
  args: unknown;
}

/** A write under `approval_gated`, waiting for an operator. */
export interface ApprovalRequest {
  id: string;
  /** sha256 of the canonical JSON of the call: the approval is valid for this exact call only. */
  hash: string;
  call: ApprovalCall;
  /** The `approval_gated` rule that asked for it. */
  ruleId?: string | undefined;
  /** The enforcer waiting for it. */
  enforcer?: string | undefined;
  requestedBy: Actor;
  /** ISO-8601 time of the request. */
  at: string;
  /** ISO-8601 time after which, undecided, it is `expired` (a denial). */
  expiresAt: string;
}

/** How an approval stopped being pending. `approved` is the only one a call may run on. */
export type ApprovalOutcome = 'approved' | 'denied' | 'expired' | 'voided';

/** The decision on an approval request. */
export interface ApprovalDecision {
  outcome: ApprovalOutcome;
  actor: Actor;
  reason: string;
  /** ISO-8601 time of the decision. */
  at: string;
}

/** A request with its decision once made, and when an approved call used it (single use). */
export interface ApprovalRecord {
  request: ApprovalRequest;
  decision?: ApprovalDecision | undefined;
  usedAt?: string | undefined;
}

/** Where an approval is, as people and enforcers see it. */
export type ApprovalStatus = 'pending' | ApprovalOutcome | 'used';

/** The status of a record: `used` once an approved call ran on it. */
export function approvalStatus(record: ApprovalRecord): ApprovalStatus {
  if (record.usedAt !== undefined) return 'used';
  return record.decision?.outcome ?? 'pending';
}

/**
 * The hash binding an approval to one exact call: sha256 of the canonical JSON of
 * `{tenant, agent, run, tool, args}` (absent fields left out).
 */
export function approvalHash(sha256: Sha256, call: ApprovalCall): string {
  return sha256(
    canonicalJson({ tenant: call.tenant, agent: call.agent, run: call.run, tool: call.tool, args: call.args ?? null }),
  );
}

/** An approval as the API shows it: the request's fields, its status, and its decision. */
export interface ApprovalView extends ApprovalRequest {
  status: ApprovalStatus;
  decision?: ApprovalDecision | undefined;
  usedAt?: string | undefined;
}

/** The API's view of a record. */
export function approvalView(record: ApprovalRecord): ApprovalView {
  return { ...record.request, status: approvalStatus(record), decision: record.decision, usedAt: record.usedAt };
}
