/**
 * The column types a dialect gives the shared schema. Each is the type of a kind of value, not of
 * one column, so the schema is written once and reads the same in every dialect.
 */
export interface SqlColumnTypes {
  /** Text: ids, names, ISO times, and JSON kept as text (any JSON, even strings holding `\u0000`). */
  readonly text: string;
  /** A 32-bit integer. */
  readonly integer: string;
  /** A 64-bit integer: versions, sequence numbers, epoch milliseconds. */
  readonly bigint: string;
  /** A boolean, and how the dialect spells false (for column defaults). */
  readonly boolean: string;
  readonly false: string;
  /** JSON the driver may parse on reading (PostgreSQL's jsonb); domain values only. */
  readonly json: string;
  /** A primary key numbered in insertion order, by which lists are ordered. */
  readonly ordinal: string;
  /** What ends a table keyed by a text column (SQLite's `WITHOUT ROWID`), or nothing. */
  readonly keyedTableSuffix: string;
}

/**
 * One SQL dialect as the shared schema and row codecs need it: its column types, and how its driver
 * binds booleans and hands back boolean and JSON columns. The driver, its transactions and its
 * statements stay in the store package.
 *
 * @example
 * const dialect: SqlDialect = { types, bindBoolean: (value) => (value ? 1 : 0),
 *   readBoolean: (column) => column === 1, readJson: (column) => JSON.parse(column as string) };
 */
export interface SqlDialect {
  readonly types: SqlColumnTypes;
  /** A boolean as the driver binds it (SQLite has no boolean type: 1 or 0). */
  bindBoolean(value: boolean): unknown;
  /** A boolean column as the driver returns it. */
  readBoolean(column: unknown): boolean;
  /** A `json` column as the driver returns it: text to parse, or a value it parsed already. */
  readJson(column: unknown): unknown;
}
