import type Database from 'better-sqlite3';
import type { AuditDraft, AuditEntry, Draft, DraftStore } from '@estop/core';
import type { SqliteContext } from './sqlite-context.js';
import { insertNewWithAudit } from './sqlite-insert-new.js';

const DEFAULT_LIMIT = 100;

interface ListParameters {
  tenant: string | null;
  before: string | null;
  limit: number;
}

function prepare(db: Database.Database) {
  return {
    exists: db.prepare<[string], number>('SELECT 1 FROM estop_drafts WHERE id = ?').pluck(),
    insert: db.prepare<[string, string, string, string]>(
      'INSERT INTO estop_drafts (id, tenant, at, draft) VALUES (?, ?, ?, ?)',
    ),
    byId: db.prepare<[string], string>('SELECT draft FROM estop_drafts WHERE id = ?').pluck(),
    newest: db
      .prepare<[ListParameters], string>(
        `SELECT draft FROM estop_drafts
         WHERE (@tenant IS NULL OR tenant = @tenant) AND (@before IS NULL OR at < @before)
         ORDER BY ordinal DESC LIMIT @limit`,
      )
      .pluck(),
  };
}

/** Drafts on SQLite; creating one writes it and its audit entry in one transaction. */
export function createSqliteDraftStore(context: SqliteContext): DraftStore {
  let prepared: ReturnType<typeof prepare> | undefined;
  // Prepared on first use, which comes after `migrate()` has made the table.
  const statements = () => (prepared ??= prepare(context.db));

  const create = context.db.transaction((draft: Draft, audit: AuditDraft): AuditEntry =>
    insertNewWithAudit(
      context,
      {
        noun: 'draft',
        id: draft.id,
        detailsKey: 'draftId',
        taken: () => statements().exists.get(draft.id) !== undefined,
        insert: () => statements().insert.run(draft.id, draft.tenant, draft.at, JSON.stringify(draft)),
      },
      audit,
    ),
  );

  return {
    create: (draft, audit) => context.run(() => create.immediate(draft, audit)),
    get: (id) =>
      context.run(() => {
        const text = statements().byId.get(id);
        return text === undefined ? undefined : (JSON.parse(text) as Draft);
      }),
    list: (query = {}) =>
      context.run(() =>
        statements()
          .newest.all({
            tenant: query.tenant ?? null,
            before: query.before ?? null,
            limit: Math.max(0, query.limit ?? DEFAULT_LIMIT),
          })
          .map((text) => JSON.parse(text) as Draft),
      ),
  };
}
