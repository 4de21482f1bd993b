import type { PoolClient, QueryResultRow } from 'pg';
import type { Sha256 } from '@estop/core';

/** What the parts of one PostgreSQL store share. */
export interface PostgresContext {
  readonly sha256: Sha256;
  /** Runs one statement on any pooled connection and returns its rows. */
  query<Row extends QueryResultRow>(text: string, values?: unknown[]): Promise<Row[]>;
  /** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if not. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
}
