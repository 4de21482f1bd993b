import type { EnforcerStore } from '@estop/core';
import type { SqliteContext } from './sqlite-context.js';
import { enforcerFromRow, enforcerValues, type EnforcerRow } from '@estop/core/sql';

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
        const { seenSince, notHeldBy } = query ?? {};
        let rows: EnforcerRow[];
        if (seenSince === undefined) {
          rows = statements.enforcers.all().filter((row) => notHeldBy === undefined || row.replica !== notHeldBy);
        } else if (notHeldBy === undefined) {
          rows = statements.enforcersSeenSince.all(seenSince, seenSince);
        } else {
          rows = statements.enforcersSeenSinceNotHeldBy.all(seenSince, seenSince, notHeldBy);
        }
        return rows.map(enforcerFromRow);
      }),
    remove: (ids) =>
      context.run(() => {
        const statement = context.statements().removeEnforcer;
        context.db.transaction(() => {
          for (const id of ids) statement.run(id);
        })();
      }),
    heartbeat: (replica, at, applied = 0) =>
      context.run(() => {
        context.statements().heartbeat.run(replica, at, applied);
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
