import type { EnforcerStore } from '@estop/core';
import type { PostgresContext } from './postgres-context.js';
import {
  ENFORCER_COLUMNS,
  ENFORCER_SELECT,
  ENFORCER_UPSERT_SET,
  enforcerFromRow,
  enforcerNotHeldByWhere,
  enforcerSeenSinceWhere,
  enforcerUpsertWhere,
  enforcerValues,
  heartbeatSql,
  removeEnforcersSeenBeforeSql,
  type EnforcerRow,
} from '@estop/core/sql';

/** Enforcer records and replicas' heartbeats on PostgreSQL. */
export function createPostgresEnforcerStore(context: PostgresContext): EnforcerStore {
  return {
    async upsert(records, writer) {
      if (records.length === 0) return;
      // One multi-row statement; a record listed twice keeps its last version.
      const latest = [...new Map(records.map((record) => [record.id, record])).values()];
      const width = ENFORCER_COLUMNS.split(',').length;
      const rows = latest.map(
        (_, index) => `(${Array.from({ length: width }, (_, column) => `$${index * width + column + 1}`).join(', ')})`,
      );
      const by = `$${latest.length * width + 1}::text`;
      await context.query(
        `INSERT INTO estop_enforcers (${ENFORCER_COLUMNS}) VALUES ${rows.join(', ')}
         ON CONFLICT (id) DO UPDATE SET ${ENFORCER_UPSERT_SET} WHERE ${enforcerUpsertWhere([by, by])}`,
        [...latest.flatMap(enforcerValues), writer ?? null],
      );
    },
    async list(query) {
      const conditions: string[] = [];
      const values: string[] = [];
      if (query?.seenSince !== undefined) {
        values.push(query.seenSince);
        conditions.push(enforcerSeenSinceWhere([`$${values.length}`, `$${values.length}`]));
      }
      if (query?.notHeldBy !== undefined) {
        values.push(query.notHeldBy);
        conditions.push(enforcerNotHeldByWhere(`$${values.length}`));
      }
      const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')} `;
      const rows = await context.query<EnforcerRow>(`${ENFORCER_SELECT} ${where}ORDER BY e.ordinal`, values);
      return rows.map(enforcerFromRow);
    },
    async remove(ids) {
      if (ids.length === 0) return;
      await context.query('DELETE FROM estop_enforcers WHERE id = ANY($1::text[])', [[...ids]]);
    },
    async heartbeat(replica, at, applied = 0) {
      await context.query(heartbeatSql(['$1', '$2', '$3']), [replica, at, applied]);
    },
    async removeSeenBefore(seenBefore) {
      // One statement: both deletes see the heartbeats as they were, which decide which enforcers departed.
      const [removed] = await context.query<{ count: number }>(
        `WITH removed AS (${removeEnforcersSeenBeforeSql(['$1', '$1'])} RETURNING 1),
              heartbeats AS (DELETE FROM estop_replicas WHERE seen_at < $1)
         SELECT count(*)::int AS count FROM removed`,
        [seenBefore],
      );
      return removed?.count ?? 0;
    },
  };
}
