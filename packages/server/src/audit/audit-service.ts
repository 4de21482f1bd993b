import {
  EstopError,
  verifyChain,
  type AuditEntry,
  type AuditHead,
  type AuditStore,
  type ChainVerification,
} from '@estop/core';
import { cursorId, paginate } from '../http/pagination.js';
import type { Principal } from '../tokens/principal.js';
import { sha256Hex } from '../tokens/token-secret.js';
import { canReadAuditEntry } from './audit-visibility.js';

/** Which entries to read: those after a sequence number, or after a cursor's page, up to `limit`. */
export interface AuditQuery {
  after: number;
  limit: number;
  cursor?: string | undefined;
}

/** One page of the audit log as a principal may read it, with the chain's head and the next cursor. */
export interface AuditPage {
  entries: AuditEntry[];
  head: AuditHead;
  nextCursor: string | null;
}

// Reads the entry after a cursor's: its id is the sequence number of the last entry it gave.
function afterCursor(cursor: string): number {
  const seq = Number(cursorId(cursor));
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new EstopError({ code: 'invalid_request', message: 'query: cursor: not a cursor this server issued' });
  }
  return seq;
}

/** How many entries one read of the chain's verification takes from the store. */
const VERIFY_PAGE = 10_000;

/** Reading and verifying the hash-chained audit log. */
export class AuditService {
  readonly #audit: AuditStore;

  constructor(deps: { audit: AuditStore }) {
    this.#audit = deps.audit;
  }

  /** A page of entries in sequence order, those the principal may not read left out. */
  async list(principal: Principal, query: AuditQuery): Promise<AuditPage> {
    const { after, limit, cursor } = query;
    const fetched = await this.#audit.list({
      afterSeq: cursor === undefined ? after : afterCursor(cursor),
      limit: limit + 1,
    });
    const { items: entries, nextCursor } = paginate(fetched, (entry) => String(entry.seq), { limit });
    const head = await this.#audit.head();
    return { entries: entries.filter((entry) => canReadAuditEntry(principal, entry)), head, nextCursor };
  }

  /** Verifies the whole chain, page by page; says where it breaks, if it does. */
  async verify(): Promise<ChainVerification> {
    let result = verifyChain([], sha256Hex);
    for (let page: AuditEntry[] = await this.#audit.list({ limit: VERIFY_PAGE }); page.length > 0;) {
      const start = result.ok ? result.head : undefined;
      const checked = verifyChain(page, sha256Hex, start);
      if (!checked.ok) return { ...checked, entries: (result.ok ? result.entries : 0) + checked.entries };
      result = { ...checked, entries: (result.ok ? result.entries : 0) + checked.entries };
      page = await this.#audit.list({ afterSeq: checked.head.seq, limit: VERIFY_PAGE });
    }
    return result;
  }
}
