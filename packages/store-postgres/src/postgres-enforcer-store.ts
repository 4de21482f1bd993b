import type { EnforcerStore } from '@estop/core';
import type { PostgresContext } from './postgres-context.js';
import { ENFORCER_COLUMNS, enforcerFromRow, enforcerValues, type EnforcerRow } from './postgres-rows.js';

/** Enforcer records on PostgreSQL. */
export function createPostgresEnforcerStore(context: PostgresContext): EnforcerStore {
  return {
    async upsert(record) {
      await context.query(
        `INSERT INTO estop_enforcers (${ENFORCER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, host = excluded.host,
           pid = excluded.pid, version = excluded.version, in_flight = excluded.in_flight,
           last_seen_at = excluded.last_seen_at`,
        enforcerValues(record),
      );
    },
    async list() {
      return (await context.query<EnforcerRow>(`SELECT ${ENFORCER_COLUMNS} FROM estop_enforcers ORDER BY ordinal`)).map(
        enforcerFromRow,
      );
    },
  };
}
