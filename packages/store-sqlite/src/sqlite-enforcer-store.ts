import type { EnforcerStore } from '@estop/core';
import type { SqliteContext } from './sqlite-context.js';
import { enforcerFromRow, enforcerValues } from '@estop/core/sql';

/** Enforcer records and replicas' heartbeats on SQLite. */
export function createSqliteEnforcerStore(context: SqliteContext): EnforcerStore {
  return {
    upsert: (records, writer) =>
      context.run(() => {
        const statement = context.statements().upsertEnforcer;
        const by = writer ?? null;
        context.db.transaction(() => {
          for (const record of records) statement.run(...enforcerValues(record), by, by);
        })();
      }),
    list: (query) =>
      context.run(() => {
        const statements = context.statements();
        const rows =
          query?.seenSince === undefined
            ? statements.enforcers.all()
            : statements.enforcersSeenSince.all(query.seenSince, query.seenSince);
        return rows.map(enforcerFromRow);
      }),
    remove: (ids) =>
      context.run(() => {
        const statement = context.statements().removeEnforcer;
        context.db.transaction(() => {
          for (const id of ids) statement.run(id);
        })();
      }),
    heartbeat: (replica, at) =>
      context.run(() => {
        context.statements().heartbeat.run(replica, at);
      }),
    removeSeenBefore: (seenBefore) =>
      context.run(() => {
        const statements = context.statements();
        // Enforcers first: their replicas' heartbeats decide which are departed.
        return context.db.transaction(() => {
          const removed = statements.removeEnforcersSeenBefore.run(seenBefore, seenBefore).changes;
          statements.removeHeartbeatsBefore.run(seenBefore);
          return removed;
        })();
      }),
  };
}
