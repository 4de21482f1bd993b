import { EMPTY_HEAD, chainEntries, type AuditDraft, type AuditEntry, type AuditStore } from '@estop/core';
import type { SqliteContext } from './sqlite-context.js';
import { auditFromRow, auditValues } from '@estop/core/sql';
import { sqliteDecoder } from './sqlite-dialect.js';

const DEFAULT_PAGE = 1000;

/**
 * Chains `drafts` after the stored head and inserts them. Call it inside a write transaction:
 * the head it reads must not move before the entries are in.
 */
export function appendAudit(context: SqliteContext, drafts: readonly AuditDraft[]): AuditEntry[] {
  const statements = context.statements();
  const head = statements.auditHead.get() ?? EMPTY_HEAD;
  const entries = chainEntries(head, drafts, context.sha256);
  for (const entry of entries) statements.insertAudit.run(...auditValues(entry));
  return entries;
}

/** The audit log on SQLite. A batch is one transaction, so its fsync is shared by every entry in it. */
export function createSqliteAuditStore(context: SqliteContext): AuditStore {
  const append = context.db.transaction((drafts: readonly AuditDraft[]) => appendAudit(context, drafts));
  return {
    append: (drafts) => context.run(() => (drafts.length === 0 ? [] : append.immediate(drafts))),
    list: (query = {}) =>
      context.run(() =>
        context
          .statements()
          .auditAfter.all(query.afterSeq ?? 0, Math.max(0, query.limit ?? DEFAULT_PAGE))
          .map(sqliteDecoder(auditFromRow)),
      ),
    head: () => context.run(() => context.statements().auditHead.get() ?? { ...EMPTY_HEAD }),
  };
}
