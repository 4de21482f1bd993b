import type { RestoreRequestStore } from '@estop/core';
import { RESTORE_REQUESTS, restoreRequestFromRow, type RestoreRequestRow } from '@estop/core/sql';
import type { PostgresContext } from './postgres-context.js';
import { POSTGRES_DIALECT } from './postgres-dialect.js';
import { insertNewWithAudit } from './postgres-insert-new.js';
import { requestReads } from './postgres-request-reads.js';

/** Restore requests on PostgreSQL; creating one writes it and its audit entry in one transaction. */
export function createPostgresRestoreRequestStore(context: PostgresContext): RestoreRequestStore {
  return {
    create: (request, audit) => insertNewWithAudit(context, RESTORE_REQUESTS, request, audit),
    ...requestReads(context, RESTORE_REQUESTS.table, (row: RestoreRequestRow) =>
      restoreRequestFromRow(row, POSTGRES_DIALECT),
    ),
    async resolve(id, resolution) {
      const rows = await context.query(
        'UPDATE estop_restore_requests SET resolution = $1 WHERE id = $2 AND resolution IS NULL RETURNING id',
        [JSON.stringify(resolution), id],
      );
      return rows.length > 0;
    },
  };
}
