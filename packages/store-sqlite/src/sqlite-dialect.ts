import type { SqlDialect } from '@estop/core/sql';

/**
 * SQLite as the shared SQL layer sees it: no boolean type (1 or 0; better-sqlite3 refuses to bind
 * a boolean), JSON kept as text, and `INTEGER PRIMARY KEY` as the rowid, numbered in insertion order.
 */
export const SQLITE_DIALECT: SqlDialect = {
  types: {
    text: 'TEXT',
    integer: 'INTEGER',
    bigint: 'INTEGER',
    boolean: 'INTEGER',
    false: '0',
    json: 'TEXT',
    ordinal: 'INTEGER PRIMARY KEY',
    keyedTableSuffix: ' WITHOUT ROWID',
  },
  bindBoolean: (value) => (value ? 1 : 0),
  readBoolean: (column) => column === 1,
  readJson: (column) => JSON.parse(column as string),
};

/**
 * A shared row codec that reads rows with SQLite's coercions.
 *
 * @example
 * const tokens = rows.map(sqliteDecoder(tokenFromRow));
 */
export function sqliteDecoder<Row, T>(fromRow: (row: Row, dialect: SqlDialect) => T): (row: Row) => T {
  return (row) => fromRow(row, SQLITE_DIALECT);
}
