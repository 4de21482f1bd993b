import type { AdminRequest, AdminRequestStore } from '@estop/core';
import { ADMIN_REQUESTS, REQUEST_COLUMNS, adminRequestFromRow, type AdminRequestRow } from '@estop/core/sql';
import { appendAudit } from './postgres-audit-store.js';
import type { PostgresContext } from './postgres-context.js';
import { lockHead } from './postgres-head.js';
import { insertNewWithAudit } from './postgres-insert-new.js';
import { requestReads } from './postgres-request-reads.js';
import { insertToken } from './postgres-token-store.js';

/** Admin requests on PostgreSQL; a confirmation stores the new token, the resolution and its audit entry together. */
export function createPostgresAdminRequestStore(context: PostgresContext): AdminRequestStore {
  return {
    create: (request, audit) => insertNewWithAudit(context, ADMIN_REQUESTS, request, audit),
    ...requestReads(context, ADMIN_REQUESTS.table, adminRequestFromRow),
    async resolve(id, resolution, audit) {
      return context.transaction(async (client) => {
        const head = await lockHead(client);
        const rows = await client.query<AdminRequestRow>(
          `SELECT ${REQUEST_COLUMNS} FROM estop_admin_requests WHERE id = $1 FOR UPDATE`,
          [id],
        );
        const row = rows.rows[0];
        if (row === undefined || row.resolution !== null) return false;
        if (resolution.outcome === 'confirmed') {
          await insertToken(client, (JSON.parse(row.request) as AdminRequest).token);
        }
        await client.query('UPDATE estop_admin_requests SET resolution = $1 WHERE id = $2', [
          JSON.stringify(resolution),
          id,
        ]);
        await appendAudit(client, head.audit, [audit], context.sha256);
        return true;
      });
    },
  };
}
