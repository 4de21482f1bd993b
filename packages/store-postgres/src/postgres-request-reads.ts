import type { QueryResultRow } from 'pg';
import { REQUEST_COLUMNS } from '@estop/core/sql';
import type { PostgresContext } from './postgres-context.js';

/**
 * Reading a table of requests kept with their resolutions (restore and admin requests): one by id,
 * or all (or the pending ones) in the order they were made.
 */
export function requestReads<Row extends QueryResultRow, T>(
  context: PostgresContext,
  table: string,
  fromRow: (row: Row) => T,
): { get(id: string): Promise<T | undefined>; list(query?: { pending?: boolean }): Promise<T[]> } {
  return {
    async get(id) {
      const rows = await context.query<Row>(`SELECT ${REQUEST_COLUMNS} FROM ${table} WHERE id = $1`, [id]);
      return rows[0] === undefined ? undefined : fromRow(rows[0]);
    },
    async list(query) {
      const where = query?.pending === true ? 'WHERE resolution IS NULL' : '';
      const rows = await context.query<Row>(`SELECT ${REQUEST_COLUMNS} FROM ${table} ${where} ORDER BY ordinal`);
      return rows.map(fromRow);
    },
  };
}
