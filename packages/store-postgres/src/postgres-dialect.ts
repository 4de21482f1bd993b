import type { SqlDialect } from '@estop/core/sql';

/**
 * PostgreSQL as the shared SQL layer sees it: real booleans, domain JSON in jsonb (which the driver
 * parses on reading), identity columns for insertion order. The driver returns bigint columns as
 * text (they can exceed 2^53); the row codecs turn versions and sequence numbers into numbers.
 */
export const POSTGRES_DIALECT: SqlDialect = {
  types: {
    text: 'text',
    integer: 'integer',
    bigint: 'bigint',
    boolean: 'boolean',
    false: 'false',
    json: 'jsonb',
    ordinal: 'bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
    keyedTableSuffix: '',
  },
  bindBoolean: (value) => value,
  readBoolean: (column) => column === true,
  readJson: (column) => column,
};
