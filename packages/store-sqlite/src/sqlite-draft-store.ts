import type Database from 'better-sqlite3';
import type { Draft, DraftStore } from '@estop/core';
import { DRAFTS } from '@estop/core/sql';
import type { SqliteContext } from './sqlite-context.js';
import { newRecordInserter } from './sqlite-insert-new.js';

const DEFAULT_LIMIT = 100;

interface ListParameters {
  tenant: string | null;
  before: string | null;
  limit: number;
}

function prepare(db: Database.Database) {
  return {
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

  const create = context.db.transaction(newRecordInserter(context, DRAFTS));

  return {
    create: (draft, audit) => context.run(() => create.immediate(draft, audit)),
    get: (id) =>
      context.readOne(
        () => statements().byId.get(id),
        (text) => JSON.parse(text) as Draft,
      ),
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
