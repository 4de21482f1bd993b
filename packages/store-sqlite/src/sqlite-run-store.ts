import type Database from 'better-sqlite3';
import type { RunStore } from '@estop/core';
import { RUN_COLUMNS, runFromRow, runValues, type RunRow } from '@estop/core/sql';
import type { SqliteContext } from './sqlite-context.js';

/** Runs shared by processes on one SQLite file. */
export function createSqliteRunStore(context: SqliteContext): RunStore {
  // Prepared on first use, which comes after migrate().
  let statements: { save: Database.Statement; list: Database.Statement; removeBefore: Database.Statement } | undefined;
  const prepared = () =>
    (statements ??= {
      save: context.db.prepare(
        `INSERT INTO estop_runs (${RUN_COLUMNS}) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET record = excluded.record, heartbeat_ms = excluded.heartbeat_ms,
           heard_at = excluded.heard_at`,
      ),
      list: context.db.prepare(`SELECT ${RUN_COLUMNS} FROM estop_runs WHERE heard_at >= ?`),
      removeBefore: context.db.prepare('DELETE FROM estop_runs WHERE heard_at < ?'),
    });
  return {
    save: (runs) =>
      context.run(() => {
        const { save } = prepared();
        context.db.transaction(() => {
          for (const run of runs) save.run(...runValues(run));
        })();
      }),
    list: (query) => context.run(() => (prepared().list.all(query.heardSince) as RunRow[]).map(runFromRow)),
    removeHeardBefore: (heardBefore) => context.run(() => prepared().removeBefore.run(heardBefore).changes),
  };
}
