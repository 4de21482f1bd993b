import {
  EstopError,
  type AuditEntry,
  type RestoreRequest,
  type RestoreRequestRecord,
  type RestoreRequestStore,
  type RestoreResolution,
} from '@estop/core';
import { appendAudit } from './postgres-audit-store.js';
import type { PostgresContext } from './postgres-context.js';
import { lockHead } from './postgres-head.js';

interface RestoreRequestRow {
  request: RestoreRequest;
  resolution: RestoreResolution | null;
}

function recordFromRow(row: RestoreRequestRow): RestoreRequestRecord {
  return row.resolution === null ? { request: row.request } : { request: row.request, resolution: row.resolution };
}

/** Restore requests on PostgreSQL; creating one writes it and its audit entry in one transaction. */
export function createPostgresRestoreRequestStore(context: PostgresContext): RestoreRequestStore {
  return {
    async create(request, audit) {
      return context.transaction(async (client) => {
        // Under the head lock, so that no other writer can take the id between check and insert.
        const head = await lockHead(client);
        const taken = await client.query('SELECT 1 FROM estop_restore_requests WHERE id = $1', [request.id]);
        if (taken.rowCount !== 0) {
          throw new EstopError({
            code: 'conflict',
            message: `restore request "${request.id}" already exists`,
            details: { requestId: request.id },
          });
        }
        await client.query('INSERT INTO estop_restore_requests (id, request) VALUES ($1, $2)', [
          request.id,
          JSON.stringify(request),
        ]);
        return (await appendAudit(client, head.audit, [audit], context.sha256))[0] as AuditEntry;
      });
    },
    async get(id) {
      const rows = await context.query<RestoreRequestRow>(
        'SELECT request, resolution FROM estop_restore_requests WHERE id = $1',
        [id],
      );
      return rows[0] === undefined ? undefined : recordFromRow(rows[0]);
    },
    async list(query) {
      const where = query?.pending === true ? 'WHERE resolution IS NULL' : '';
      const rows = await context.query<RestoreRequestRow>(
        `SELECT request, resolution FROM estop_restore_requests ${where} ORDER BY ordinal`,
      );
      return rows.map(recordFromRow);
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
