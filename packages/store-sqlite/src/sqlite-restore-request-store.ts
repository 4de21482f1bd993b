import type { RestoreRequestStore } from '@estop/core';
import { RESTORE_REQUESTS, restoreRequestFromRow } from '@estop/core/sql';
import type { SqliteContext } from './sqlite-context.js';
import { sqliteDecoder } from './sqlite-dialect.js';
import { newRecordInserter } from './sqlite-insert-new.js';

/** Restore requests on SQLite; creating one writes it and its audit entry in one transaction. */
export function createSqliteRestoreRequestStore(context: SqliteContext): RestoreRequestStore {
  const create = context.db.transaction(newRecordInserter(context, RESTORE_REQUESTS));

  return {
    create: (request, audit) => context.run(() => create.immediate(request, audit)),
    get: (id) =>
      context.readOne(() => context.statements().restoreRequestById.get(id), sqliteDecoder(restoreRequestFromRow)),
    list: (query) =>
      context.run(() => {
        const statements = context.statements();
        const rows =
          query?.pending === true ? statements.pendingRestoreRequests.all() : statements.restoreRequests.all();
        return rows.map(sqliteDecoder(restoreRequestFromRow));
      }),
    resolve: (id, resolution) =>
      context.run(() => context.statements().resolveRestoreRequest.run(JSON.stringify(resolution), id).changes > 0),
  };
}
