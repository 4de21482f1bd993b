import type { RestoreRequestStore } from '@estop/core';
import { RESTORE_REQUESTS, REQUEST_COLUMNS, restoreRequestFromRow, type RestoreRequestRow } from '@estop/core/sql';
import type { PostgresContext } from './postgres-context.js';
import { POSTGRES_DIALECT } from './postgres-dialect.js';
import { insertNewWithAudit } from './postgres-insert-new.js';

/** Restore requests on PostgreSQL; creating one writes it and its audit entry in one transaction. */
export function createPostgresRestoreRequestStore(context: PostgresContext): RestoreRequestStore {
  return {
    create: (request, audit) => insertNewWithAudit(context, RESTORE_REQUESTS, request, audit),
    async get(id) {
      const rows = await context.query<RestoreRequestRow>(
        `SELECT ${REQUEST_COLUMNS} FROM estop_restore_requests WHERE id = $1`,
        [id],
      );
      return rows[0] === undefined ? undefined : restoreRequestFromRow(rows[0], POSTGRES_DIALECT);
    },
    async list(query) {
      const where = query?.pending === true ? 'WHERE resolution IS NULL' : '';
      const rows = await context.query<RestoreRequestRow>(
        `SELECT ${REQUEST_COLUMNS} FROM estop_restore_requests ${where} ORDER BY ordinal`,
      );
      return rows.map((row) => restoreRequestFromRow(row, POSTGRES_DIALECT));
    },
    async resolve(id, resolution) {
      const rows = await context.query(
        'UPDATE estop_restore_requests SET resolution = $1 WHERE id = $2 AND resolution IS NULL RETURNING id',
        [JSON.stringify(resolution), id],
      );
      return rows.length > 0;
    },
  };
}
