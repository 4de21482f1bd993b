import type { ApprovalStore } from '@estop/core';
import { APPROVAL_REQUESTS, APPROVAL_COLUMNS, approvalFromRow, type ApprovalRow } from '@estop/core/sql';
import { appendAudit } from './postgres-audit-store.js';
import type { PostgresContext } from './postgres-context.js';
import { lockHead } from './postgres-head.js';
import { insertNewWithAudit } from './postgres-insert-new.js';

const DEFAULT_LIMIT = 1000;

/** Approvals on PostgreSQL; creating and deciding write the request and its audit entry in one transaction. */
export function createPostgresApprovalStore(context: PostgresContext): ApprovalStore {
  return {
    create: (request, audit) => insertNewWithAudit(context, APPROVAL_REQUESTS, request, audit),
    async get(id) {
      const rows = await context.query<ApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM estop_approvals WHERE id = $1`, [
        id,
      ]);
      return rows[0] === undefined ? undefined : approvalFromRow(rows[0]);
    },
    async list(query = {}) {
      // The newest `limit` matches, turned oldest first.
      const rows = await context.query<ApprovalRow>(
        `SELECT ${APPROVAL_COLUMNS} FROM estop_approvals
         WHERE (NOT $1::boolean OR decision IS NULL) AND ($2::text IS NULL OR tenant = $2)
         ORDER BY ordinal DESC LIMIT $3`,
        [query.pending === true, query.tenant ?? null, Math.max(0, query.limit ?? DEFAULT_LIMIT)],
      );
      return rows.reverse().map(approvalFromRow);
    },
    async decide(id, decision, audit) {
      return context.transaction(async (client) => {
        // The head lock first, as every writer takes it, so that deciders queue instead of deadlocking.
        const head = await lockHead(client);
        const decided = await client.query(
          // A pending request takes any decision; an approved, unused one can still be voided.
          `UPDATE estop_approvals SET decision = $1, outcome = $2
           WHERE id = $3 AND (decision IS NULL OR ($2 = 'voided' AND outcome = 'approved' AND used_at IS NULL))
           RETURNING id`,
          [JSON.stringify(decision), decision.outcome, id],
        );
        if (decided.rowCount === 0) return false;
        await appendAudit(client, head.audit, [audit], context.sha256);
        return true;
      });
    },
    async consume(id, hash, at) {
      // One statement: a racing consumer waits for the row lock, then re-checks `used_at IS NULL`.
      const rows = await context.query(
        `UPDATE estop_approvals SET used_at = $1
         WHERE id = $2 AND hash = $3 AND outcome = 'approved' AND used_at IS NULL RETURNING id`,
        [at, id, hash],
      );
      return rows.length > 0;
    },
  };
}
