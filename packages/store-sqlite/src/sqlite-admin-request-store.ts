import type Database from 'better-sqlite3';
import type { AdminRequest, AdminRequestStore, AdminResolution, AuditDraft } from '@estop/core';
import { ADMIN_REQUESTS, REQUEST_COLUMNS, adminRequestFromRow, type AdminRequestRow } from '@estop/core/sql';
import { appendAudit } from './sqlite-audit-store.js';
import type { SqliteContext } from './sqlite-context.js';
import { newRecordInserter } from './sqlite-insert-new.js';
import { insertToken } from './sqlite-token-store.js';

function prepare(db: Database.Database) {
  return {
    byId: db.prepare<[string], AdminRequestRow>(`SELECT ${REQUEST_COLUMNS} FROM estop_admin_requests WHERE id = ?`),
    all: db.prepare<[], AdminRequestRow>(`SELECT ${REQUEST_COLUMNS} FROM estop_admin_requests ORDER BY ordinal`),
    pending: db.prepare<[], AdminRequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM estop_admin_requests WHERE resolution IS NULL ORDER BY ordinal`,
    ),
    resolve: db.prepare<[string, string]>(
      'UPDATE estop_admin_requests SET resolution = ? WHERE id = ? AND resolution IS NULL',
    ),
  };
}

/** Admin requests on SQLite; a confirmation stores the new token, the resolution and its audit entry together. */
export function createSqliteAdminRequestStore(context: SqliteContext): AdminRequestStore {
  let prepared: ReturnType<typeof prepare> | undefined;
  // Prepared on first use, which comes after `migrate()` has made the table.
  const statements = () => (prepared ??= prepare(context.db));

  const create = context.db.transaction(newRecordInserter(context, ADMIN_REQUESTS));

  const resolve = context.db.transaction((id: string, resolution: AdminResolution, audit: AuditDraft): boolean => {
    const row = statements().byId.get(id);
    if (row === undefined || row.resolution !== null) return false;
    if (resolution.outcome === 'confirmed') insertToken(context, (JSON.parse(row.request) as AdminRequest).token);
    statements().resolve.run(JSON.stringify(resolution), id);
    appendAudit(context, [audit]);
    return true;
  });

  return {
    create: (request, audit) => context.run(() => create.immediate(request, audit)),
    get: (id) => context.readOne(() => statements().byId.get(id), adminRequestFromRow),
    list: (query) =>
      context.run(() =>
        (query?.pending === true ? statements().pending : statements().all).all().map(adminRequestFromRow),
      ),
    resolve: (id, resolution, audit) => context.run(() => resolve.immediate(id, resolution, audit)),
  };
}
