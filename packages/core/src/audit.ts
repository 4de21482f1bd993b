import type { Actor } from './actor.js';
import { canonicalJson } from './canonical-json.js';
import type { Scope } from './scope.js';
import { toWellFormedValue } from './well-formed-text.js';

/** Every kind of event the audit log records. */
export const AUDIT_ACTIONS = [
  'rule-created',
  'rule-lifted',
  'rule-expired',
  'rule-started',
  'sentinel-would-trip',
  'token-created',
  'token-revoked',
  'admin-requested',
  'admin-confirmed',
  'admin-expired',
  'run-terminated',
  'change-refused',
  'restore-requested',
  'restore-confirmed',
  'restore-voided',
  'restore-expired',
  'approval-requested',
  'approval-approved',
  'approval-denied',
  'approval-expired',
  'approval-voided',
  'draft-recorded',
  'duplicates-suppressed',
  'calls-blocked',
  'alert-resolved',
  'drill-passed',
  'drill-failed',
] as const;

/** One kind of audited event, named noun-verb. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** An audit entry before it is placed in the chain. */
export interface AuditDraft {
  /** ISO-8601 time of the event. */
  at: string;
  action: AuditAction;
  actor: Actor;
  reason?: string | undefined;
  scope?: Scope | undefined;
  ruleId?: string | undefined;
  /** Further facts, e.g. the mode, the state version, a token's role. */
  data?: Record<string, unknown> | undefined;
}

/** An audit entry in the chain: its position, its predecessor's hash and its own. */
export interface AuditEntry extends AuditDraft {
  seq: number;
  prevHash: string;
  hash: string;
}

/** The hash the first entry points back to. */
export const GENESIS_HASH = '0'.repeat(64);

/** A SHA-256 function returning lowercase hex; the runtime supplies it (core does no I/O). */
export type Sha256 = (text: string) => string;

/** The head of a chain: where the next entry goes. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** The head of an empty chain. */
export const EMPTY_HEAD: AuditHead = { seq: 0, hash: GENESIS_HASH };

/**
 * The canonical JSON of an entry's hashed fields, exactly as `canonicalJson` would write
 * `{seq, at, action, actor, reason, scope, ruleId, data}` (keys in sorted order, absent ones
 * left out), without building that object: every append and every verification runs this.
 */
export function auditEntryText(seq: number, draft: AuditDraft): string {
  let text = `{"action":${JSON.stringify(draft.action)},"actor":${canonicalJson(draft.actor)},"at":${JSON.stringify(draft.at)}`;
  if (draft.data !== undefined) text += `,"data":${canonicalJson(draft.data)}`;
  if (draft.reason !== undefined) text += `,"reason":${JSON.stringify(draft.reason)}`;
  if (draft.ruleId !== undefined) text += `,"ruleId":${JSON.stringify(draft.ruleId)}`;
  if (draft.scope !== undefined) text += `,"scope":${canonicalJson(draft.scope)}`;
  return `${text},"seq":${seq}}`;
}

function hashOf(sha256: Sha256, seq: number, prevHash: string, draft: AuditDraft): string {
  return sha256(`${prevHash}\n${auditEntryText(seq, draft)}`);
}

/**
 * Places drafts after `head`, returning the chained entries (the last one is the new head).
 * Each entry is hashed as a store keeps it: a lone surrogate or NUL that reached a draft
 * (boundaries refuse them) becomes U+FFFD before it is hashed, so that what is stored, read
 * back and verified is what was hashed.
 */
export function chainEntries(head: AuditHead, drafts: readonly AuditDraft[], sha256: Sha256): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let { seq, hash } = head;
  for (const given of drafts) {
    const draft = toWellFormedValue(given);
    seq += 1;
    const entry: AuditEntry = { ...draft, seq, prevHash: hash, hash: hashOf(sha256, seq, hash, draft) };
    entries.push(entry);
    hash = entry.hash;
  }
  return entries;
}

/** The result of checking a chain. */
export type ChainVerification =
  { ok: true; entries: number; head: AuditHead } | { ok: false; entries: number; brokenAt: number; problem: string };

/**
 * Checks that entries form an unbroken chain from `start` (the genesis by default):
 * consecutive sequence numbers, each pointing at its predecessor, each hash matching
 * its content. Any edited, removed, inserted or reordered entry is found.
 */
export function verifyChain(
  entries: readonly AuditEntry[],
  sha256: Sha256,
  start: AuditHead = EMPTY_HEAD,
): ChainVerification {
  let head = start;
  for (const entry of entries) {
    const broken = (problem: string): ChainVerification => ({
      ok: false,
      entries: entries.length,
      brokenAt: entry.seq,
      problem,
    });
    if (entry.seq !== head.seq + 1) return broken(`expected entry ${head.seq + 1}, found ${entry.seq}`);
    if (entry.prevHash !== head.hash) return broken(`entry ${entry.seq} does not point at entry ${head.seq}`);
    if (entry.hash !== hashOf(sha256, entry.seq, entry.prevHash, entry))
      return broken(`entry ${entry.seq} was altered`);
    head = { seq: entry.seq, hash: entry.hash };
  }
  return { ok: true, entries: entries.length, head };
}
