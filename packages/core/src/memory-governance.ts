import type { ApprovalDecision, ApprovalRecord } from './approval.js';
import type { AuditDraft, AuditEntry } from './audit.js';
import type { Draft } from './draft.js';
import { EstopError } from './errors.js';
import { memoryRecords } from './memory-records.js';
import type { ApprovalStore, DraftStore, IdempotencyStore } from './ports/store.js';

/** What the memory store lends its governance parts: the closed check, the audit append, the copy. */
export interface MemoryParts {
  open(): void;
  append(drafts: readonly AuditDraft[]): AuditEntry[];
  copy<T>(value: T): T;
}

function conflict(what: string, id: string): EstopError {
  return new EstopError({ code: 'conflict', message: `${what} "${id}" already exists`, details: { id } });
}

/** Whether `decision` may be recorded on `record`: see ApprovalStore.decide. */
function decidable(record: ApprovalRecord, decision: ApprovalDecision): boolean {
  if (record.decision === undefined) return true;
  return decision.outcome === 'voided' && record.decision.outcome === 'approved' && record.usedAt === undefined;
}

/** Approvals held in memory; see ApprovalStore. */
export function memoryApprovalStore(parts: MemoryParts): ApprovalStore {
  const { open, append, copy } = parts;
  const { records, create, get } = memoryRecords<ApprovalRecord>(parts, (id) => conflict('approval request', id));
  return {
    create: (request, audit) => create(request.id, { request }, audit),
    get,
    async list(query) {
      open();
      const matching = [...records.values()].filter(
        (record) =>
          (query?.pending !== true || record.decision === undefined) &&
          (query?.tenant === undefined || record.request.call.tenant === query.tenant),
      );
      // The newest `limit`; `slice(-0)` would be everything, hence the explicit start.
      return copy(matching.slice(Math.max(0, matching.length - Math.max(0, query?.limit ?? 1000))));
    },
    async decide(id, decision, audit) {
      open();
      const record = records.get(id);
      if (record === undefined || !decidable(record, decision)) return false;
      records.set(id, { request: record.request, decision: copy(decision) });
      append([audit]);
      return true;
    },
    async consume(id, hash, at) {
      open();
      const record = records.get(id);
      if (record === undefined || record.decision?.outcome !== 'approved' || record.usedAt !== undefined) return false;
      if (record.request.hash !== hash) return false;
      records.set(id, { ...record, usedAt: at });
      return true;
    },
  };
}

/** Drafts held in memory; see DraftStore. */
export function memoryDraftStore(parts: MemoryParts): DraftStore {
  const { open, copy } = parts;
  const { records: drafts, create, get } = memoryRecords<Draft>(parts, (id) => conflict('draft', id));
  return {
    create: (draft, audit) => create(draft.id, draft, audit),
    get,
    async list(query) {
      open();
      const matching = [...drafts.values()]
        .filter(
          (draft) =>
            (query?.tenant === undefined || draft.tenant === query.tenant) &&
            (query?.before === undefined || draft.at < query.before),
        )
        .reverse();
      return copy(matching.slice(0, Math.max(0, query?.limit ?? 100)));
    },
  };
}

interface KeyEntry {
  claimId: string;
  expiresAtMs: number;
  result?: string | undefined;
}

/** Idempotency keys held in memory (one process only); see IdempotencyStore. */
export function memoryIdempotencyStore({ open }: Pick<MemoryParts, 'open'>): IdempotencyStore {
  const keys = new Map<string, KeyEntry>();
  let claims = 0;
  return {
    async claim(key, nowMs, ttlMs) {
      open();
      const entry = keys.get(key);
      if (entry !== undefined && entry.expiresAtMs > nowMs) {
        return entry.result === undefined ? { status: 'pending' } : { status: 'done', result: entry.result };
      }
      claims += 1;
      const claimId = `claim_${claims}`;
      keys.set(key, { claimId, expiresAtMs: nowMs + ttlMs });
      return { status: 'claimed', claimId };
    },
    async complete(key, claimId, result) {
      open();
      const entry = keys.get(key);
      if (entry?.claimId !== claimId) return false;
      entry.result = result;
      return true;
    },
    async release(key, claimId) {
      open();
      if (keys.get(key)?.claimId !== claimId) return false;
      keys.delete(key);
      return true;
    },
  };
}
