import type { RunStore } from '@estop/core';
import { RUN_COLUMNS, runFromRow, runValues, type RunRow } from '@estop/core/sql';
import type { PostgresContext } from './postgres-context.js';

/** Runs shared by replicas, on PostgreSQL. */
export function createPostgresRunStore(context: PostgresContext): RunStore {
  return {
    async save(runs) {
      if (runs.length === 0) return;
      // One multi-row statement; a run listed twice keeps its last record.
      const latest = [...new Map(runs.map((run) => [run.record.id, run])).values()];
      const rows = latest.map(
        (_, index) => `($${index * 4 + 1}, $${index * 4 + 2}, $${index * 4 + 3}, $${index * 4 + 4})`,
      );
      await context.query(
        `INSERT INTO estop_runs (${RUN_COLUMNS}) VALUES ${rows.join(', ')}
         ON CONFLICT (id) DO UPDATE SET record = excluded.record, heartbeat_ms = excluded.heartbeat_ms,
           heard_at = excluded.heard_at`,
        latest.flatMap(runValues),
      );
    },
    async list(query) {
      const rows = await context.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM estop_runs WHERE heard_at >= $1`, [
        query.heardSince,
      ]);
      return rows.map(runFromRow);
    },
    async removeHeardBefore(heardBefore) {
      const [removed] = await context.query<{ count: number }>(
        `WITH removed AS (DELETE FROM estop_runs WHERE heard_at < $1 RETURNING 1) SELECT count(*)::int AS count FROM removed`,
        [heardBefore],
      );
      return removed?.count ?? 0;
    },
  };
}
