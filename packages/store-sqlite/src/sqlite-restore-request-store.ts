import {
  EstopError,
  type AuditDraft,
  type AuditEntry,
  type RestoreRequest,
  type RestoreRequestStore,
} from '@estop/core';
import { appendAudit } from './sqlite-audit-store.js';
import type { SqliteContext } from './sqlite-context.js';
import { restoreRequestFromRow } from '@estop/core/sql';
import { SQLITE_DIALECT } from './sqlite-dialect.js';

/** Restore requests on SQLite; creating one writes it and its audit entry in one transaction. */
export function createSqliteRestoreRequestStore(context: SqliteContext): RestoreRequestStore {
  const create = context.db.transaction((request: RestoreRequest, audit: AuditDraft): AuditEntry => {
    const statements = context.statements();
    if (statements.restoreRequestById.get(request.id) !== undefined) {
      throw new EstopError({
        code: 'conflict',
        message: `restore request "${request.id}" already exists`,
        details: { requestId: request.id },
      });
    }
    statements.insertRestoreRequest.run(request.id, JSON.stringify(request));
    return appendAudit(context, [audit])[0] as AuditEntry;
  });

  return {
    create: (request, audit) => context.run(() => create.immediate(request, audit)),
    get: (id) =>
      context.run(() => {
        const row = context.statements().restoreRequestById.get(id);
        return row === undefined ? undefined : restoreRequestFromRow(row, SQLITE_DIALECT);
      }),
    list: (query) =>
      context.run(() => {
        const statements = context.statements();
        const rows =
          query?.pending === true ? statements.pendingRestoreRequests.all() : statements.restoreRequests.all();
        return rows.map((row) => restoreRequestFromRow(row, SQLITE_DIALECT));
      }),
    resolve: (id, resolution) =>
      context.run(() => context.statements().resolveRestoreRequest.run(JSON.stringify(resolution), id).changes > 0),
  };
}
