import type { Actor } from '../actor.js';
import { approvalHash, type ApprovalCall, type ApprovalDecision, type ApprovalRequest } from '../approval.js';
import type { Draft } from '../draft.js';
import { sha256Hex } from './sha256-hex.js';
import { OPERATOR, makeDraft, minutesIn } from './store-fixtures.js';

/** The agent that fixtures' calls come from. */
export const AGENT: Actor = { id: 'worker-7', kind: 'agent' };

/** An email the agent wants to send for `tenant`, with nested arguments to round-trip. */
export function makeCall(tenant = 'acme'): ApprovalCall {
  return {
    tenant,
    agent: 'mailer',
    run: 'run-1',
    tool: 'email.send',
    args: { to: ['ceo@example.com'], subject: 'Q3', body: 'numbers: 1, 2.5, -3', draft: false, cc: null },
  };
}

/** A pending approval request for `makeCall()`, hashed as enforcers hash it. */
export function makeApprovalRequest(id: string, overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const call = overrides.call ?? makeCall();
  return {
    id,
    hash: approvalHash(sha256Hex, call),
    call,
    ruleId: 'gate-writes',
    enforcer: 'gateway-1',
    requestedBy: AGENT,
    at: minutesIn(2),
    expiresAt: minutesIn(7),
    ...overrides,
  };
}

/** An operator's decision; approved unless overridden. */
export function makeDecision(overrides: Partial<ApprovalDecision> = {}): ApprovalDecision {
  return { outcome: 'approved', actor: OPERATOR, reason: 'looks right', at: minutesIn(3), ...overrides };
}

/** A draft of `makeCall()`'s call, recorded at minute `minute`. */
export function makeCallDraft(id: string, minute: number, overrides: Partial<Draft> = {}): Draft {
  const { tenant, agent, run, tool, args } = makeCall(overrides.tenant);
  return {
    id,
    tenant,
    agent,
    run,
    tool,
    args,
    ruleId: 'drafts-only',
    enforcer: 'worker-7',
    actor: AGENT,
    at: minutesIn(minute),
    ...overrides,
  };
}

/** The audit entry a new approval request appends. */
export const APPROVAL_REQUESTED = makeDraft({ action: 'approval-requested', actor: AGENT, ruleId: 'gate-writes' });
/** The audit entry an approval decision appends. */
export const APPROVAL_APPROVED = makeDraft({ action: 'approval-approved', reason: 'looks right' });
/** The audit entry a recorded draft appends. */
export const DRAFT_RECORDED = makeDraft({ action: 'draft-recorded', actor: AGENT, ruleId: 'drafts-only' });
