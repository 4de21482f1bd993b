import type { EnforcerStore } from '@estop/core';
import type { SqliteContext } from './sqlite-context.js';
import { enforcerFromRow, enforcerRow } from './sqlite-rows.js';

/** Enforcer records on SQLite. */
export function createSqliteEnforcerStore(context: SqliteContext): EnforcerStore {
  return {
    upsert: (record) =>
      context.run(() => {
        context.statements().upsertEnforcer.run(enforcerRow(record));
      }),
    list: () => context.run(() => context.statements().enforcers.all().map(enforcerFromRow)),
  };
}
