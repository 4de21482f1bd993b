import { EstopError, verifyChain, type AuditEntry } from '@estop/core';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../app-env.js';
import { canReadAuditEntry } from './audit-visibility.js';
import { requireRole } from '../tokens/principal.js';
import { cursorId, paginate } from '../http/pagination.js';
import { readQuery } from '../http/read-input.js';
import { sha256Hex } from '../tokens/token-secret.js';

const ListQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** `nextCursor` of the previous page: the same as `after` its last entry's sequence number. */
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,1000}$/, 'not a cursor this server issued')
    .optional(),
});

// Reads the entry after a cursor's: its id is the sequence number of the last entry it gave.
function afterCursor(cursor: string): number {
  const seq = Number(cursorId(cursor));
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new EstopError({ code: 'invalid_request', message: 'query: cursor: not a cursor this server issued' });
  }
  return seq;
}

const PAGE = 10_000;

/** Reading and verifying the hash-chained audit log. */
export function auditRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/v1/audit', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'viewer');
    const { after, limit, cursor } = readQuery(context, ListQuery);
    const fetched = await deps.store.audit.list({
      afterSeq: cursor === undefined ? after : afterCursor(cursor),
      limit: limit + 1,
    });
    const { items: entries, nextCursor } = paginate(fetched, (entry) => String(entry.seq), { limit });
    const head = await deps.store.audit.head();
    return context.json({ entries: entries.filter((entry) => canReadAuditEntry(principal, entry)), head, nextCursor });
  });

  app.get('/v1/audit/verify', async (context) => {
    requireRole(context.get('principal'), 'viewer');
    let result = verifyChain([], sha256Hex);
    for (let page: AuditEntry[] = await deps.store.audit.list({ limit: PAGE }); page.length > 0;) {
      const start = result.ok ? result.head : undefined;
      const checked = verifyChain(page, sha256Hex, start);
      if (!checked.ok) return context.json({ ...checked, entries: (result.ok ? result.entries : 0) + checked.entries });
      result = { ...checked, entries: (result.ok ? result.entries : 0) + checked.entries };
      page = await deps.store.audit.list({ afterSeq: checked.head.seq, limit: PAGE });
    }
    return context.json(result);
  });
}
