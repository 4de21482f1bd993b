import { EstopError, type AuditEntry, type Draft, type DraftStore } from '@estop/core';
import { appendAudit } from './postgres-audit-store.js';
import type { PostgresContext } from './postgres-context.js';
import { lockHead } from './postgres-head.js';

const DEFAULT_LIMIT = 100;

/** Drafts on PostgreSQL; creating one writes it and its audit entry in one transaction. */
export function createPostgresDraftStore(context: PostgresContext): DraftStore {
  return {
    async create(draft, audit) {
      return context.transaction(async (client) => {
        // Under the head lock, so that no other writer can take the id between check and insert.
        const head = await lockHead(client);
        const taken = await client.query('SELECT 1 FROM estop_drafts WHERE id = $1', [draft.id]);
        if (taken.rowCount !== 0) {
          throw new EstopError({
            code: 'conflict',
            message: `draft "${draft.id}" already exists`,
            details: { draftId: draft.id },
          });
        }
        await client.query('INSERT INTO estop_drafts (id, tenant, at, draft) VALUES ($1, $2, $3, $4)', [
          draft.id,
          draft.tenant,
          draft.at,
          JSON.stringify(draft),
        ]);
        return (await appendAudit(client, head.audit, [audit], context.sha256))[0] as AuditEntry;
      });
    },
    async get(id) {
      const rows = await context.query<{ draft: string }>('SELECT draft FROM estop_drafts WHERE id = $1', [id]);
      return rows[0] === undefined ? undefined : (JSON.parse(rows[0].draft) as Draft);
    },
    async list(query = {}) {
      const rows = await context.query<{ draft: string }>(
        `SELECT draft FROM estop_drafts
         WHERE ($1::text IS NULL OR tenant = $1) AND ($2::text IS NULL OR at < $2)
         ORDER BY ordinal DESC LIMIT $3`,
        [query.tenant ?? null, query.before ?? null, Math.max(0, query.limit ?? DEFAULT_LIMIT)],
      );
      return rows.map((row) => JSON.parse(row.draft) as Draft);
    },
  };
}
