import type Database from 'better-sqlite3';
import type { ApprovalDecision, ApprovalStore, AuditDraft } from '@estop/core';
import { APPROVAL_REQUESTS, APPROVAL_COLUMNS, approvalFromRow, type ApprovalRow } from '@estop/core/sql';
import { appendAudit } from './sqlite-audit-store.js';
import type { SqliteContext } from './sqlite-context.js';
import { newRecordInserter } from './sqlite-insert-new.js';

const DEFAULT_LIMIT = 1000;

interface ListParameters {
  pending: number;
  tenant: string | null;
  limit: number;
}

function prepare(db: Database.Database) {
  return {
    byId: db.prepare<[string], ApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM estop_approvals WHERE id = ?`),
    // The newest `limit` matches; the caller turns them oldest first.
    newest: db.prepare<[ListParameters], ApprovalRow>(
      `SELECT ${APPROVAL_COLUMNS} FROM estop_approvals
       WHERE (@pending = 0 OR decision IS NULL) AND (@tenant IS NULL OR tenant = @tenant)
       ORDER BY ordinal DESC LIMIT @limit`,
    ),
    // A pending request takes any decision; an approved, unused one can still be voided.
    decide: db.prepare<[string, string, string, string]>(
      `UPDATE estop_approvals SET decision = ?, outcome = ?
       WHERE id = ? AND (decision IS NULL OR (? = 'voided' AND outcome = 'approved' AND used_at IS NULL))`,
    ),
    // One statement, so two processes racing for one approval cannot both see it unused.
    consume: db.prepare<[string, string, string]>(
      `UPDATE estop_approvals SET used_at = ?
       WHERE id = ? AND hash = ? AND outcome = 'approved' AND used_at IS NULL`,
    ),
  };
}

/** Approvals on SQLite; creating and deciding write the request and its audit entry in one transaction. */
export function createSqliteApprovalStore(context: SqliteContext): ApprovalStore {
  let prepared: ReturnType<typeof prepare> | undefined;
  // Prepared on first use, which comes after `migrate()` has made the table.
  const statements = () => (prepared ??= prepare(context.db));

  const create = context.db.transaction(newRecordInserter(context, APPROVAL_REQUESTS));

  const decide = context.db.transaction((id: string, decision: ApprovalDecision, audit: AuditDraft): boolean => {
    if (statements().decide.run(JSON.stringify(decision), decision.outcome, id, decision.outcome).changes === 0)
      return false;
    appendAudit(context, [audit]);
    return true;
  });

  return {
    create: (request, audit) => context.run(() => create.immediate(request, audit)),
    get: (id) => context.readOne(() => statements().byId.get(id), approvalFromRow),
    list: (query = {}) =>
      context.run(() =>
        statements()
          .newest.all({
            pending: query.pending === true ? 1 : 0,
            tenant: query.tenant ?? null,
            limit: Math.max(0, query.limit ?? DEFAULT_LIMIT),
          })
          .reverse()
          .map(approvalFromRow),
      ),
    decide: (id, decision, audit) => context.run(() => decide.immediate(id, decision, audit)),
    consume: (id, hash, at) => context.run(() => statements().consume.run(at, id, hash).changes > 0),
  };
}
