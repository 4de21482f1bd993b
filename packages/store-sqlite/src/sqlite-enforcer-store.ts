import type { EnforcerStore } from '@estop/core';
import type { SqliteContext } from './sqlite-context.js';
import { enforcerFromRow, enforcerValues } from '@estop/core/sql';

/** Enforcer records on SQLite. */
export function createSqliteEnforcerStore(context: SqliteContext): EnforcerStore {
  return {
    upsert: (records) =>
      context.run(() => {
        const statement = context.statements().upsertEnforcer;
        context.db.transaction(() => {
          for (const record of records) statement.run(...enforcerValues(record));
        })();
      }),
    list: (query) =>
      context.run(() => {
        const statements = context.statements();
        const rows =
          query?.seenSince === undefined
            ? statements.enforcers.all()
            : statements.enforcersSeenSince.all(query.seenSince);
        return rows.map(enforcerFromRow);
      }),
    remove: (ids) =>
      context.run(() => {
        const statement = context.statements().removeEnforcer;
        context.db.transaction(() => {
          for (const id of ids) statement.run(id);
        })();
      }),
    removeSeenBefore: (seenBefore) =>
      context.run(() => context.statements().removeEnforcersSeenBefore.run(seenBefore).changes),
  };
}
