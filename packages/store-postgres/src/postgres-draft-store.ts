import type { Draft, DraftStore } from '@estop/core';
import { DRAFTS } from '@estop/core/sql';
import type { PostgresContext } from './postgres-context.js';
import { insertNewWithAudit } from './postgres-insert-new.js';

const DEFAULT_LIMIT = 100;

/** Drafts on PostgreSQL; creating one writes it and its audit entry in one transaction. */
export function createPostgresDraftStore(context: PostgresContext): DraftStore {
  return {
    create: (draft, audit) => insertNewWithAudit(context, DRAFTS, draft, audit),
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
