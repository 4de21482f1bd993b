import type { EnforcerStore } from '@estop/core';
import type { PostgresContext } from './postgres-context.js';
import {
  ENFORCER_COLUMNS,
  ENFORCER_UPSERT_SET,
  enforcerFromRow,
  enforcerValues,
  type EnforcerRow,
} from '@estop/core/sql';

/** Enforcer records on PostgreSQL. */
export function createPostgresEnforcerStore(context: PostgresContext): EnforcerStore {
  return {
    async upsert(records) {
      if (records.length === 0) return;
      // One multi-row statement; a record listed twice keeps its last version.
      const latest = [...new Map(records.map((record) => [record.id, record])).values()];
      const width = ENFORCER_COLUMNS.split(',').length;
      const rows = latest.map(
        (_, index) => `(${Array.from({ length: width }, (_, column) => `$${index * width + column + 1}`).join(', ')})`,
      );
      await context.query(
        `INSERT INTO estop_enforcers (${ENFORCER_COLUMNS}) VALUES ${rows.join(', ')}
         ON CONFLICT (id) DO UPDATE SET ${ENFORCER_UPSERT_SET}`,
        latest.flatMap(enforcerValues),
      );
    },
    async list(query) {
      const rows =
        query?.seenSince === undefined
          ? await context.query<EnforcerRow>(`SELECT ${ENFORCER_COLUMNS} FROM estop_enforcers ORDER BY ordinal`)
          : await context.query<EnforcerRow>(
              `SELECT ${ENFORCER_COLUMNS} FROM estop_enforcers WHERE last_seen_at >= $1 ORDER BY ordinal`,
              [query.seenSince],
            );
      return rows.map(enforcerFromRow);
    },
    async remove(ids) {
      if (ids.length === 0) return;
      await context.query('DELETE FROM estop_enforcers WHERE id = ANY($1::text[])', [[...ids]]);
    },
    async removeSeenBefore(seenBefore) {
      const [removed] = await context.query<{ count: number }>(
        `WITH removed AS (DELETE FROM estop_enforcers WHERE last_seen_at < $1 RETURNING 1)
         SELECT count(*)::int AS count FROM removed`,
        [seenBefore],
      );
      return removed?.count ?? 0;
    },
  };
}
