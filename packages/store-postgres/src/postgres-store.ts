import { DatabaseError, Pool, escapeIdentifier, type PoolClient } from 'pg';
import { EstopError, isEstopError, type Sha256, type Store } from '@estop/core';
import { createPostgresAdminRequestStore } from './postgres-admin-request-store.js';
import { createPostgresApprovalStore } from './postgres-approval-store.js';
import { createPostgresAuditStore } from './postgres-audit-store.js';
import { watchPostgresChanges } from './postgres-change-watcher.js';
import type { PostgresContext } from './postgres-context.js';
import { createPostgresDraftStore } from './postgres-draft-store.js';
import { createPostgresEnforcerStore } from './postgres-enforcer-store.js';
import { toStoreError } from './postgres-errors.js';
import { createPostgresIdempotencyStore } from './postgres-idempotency-store.js';
import { migratePostgres } from './postgres-migrations.js';
import { createPostgresNotificationStore } from './postgres-notification-store.js';
import { createPostgresRestoreRequestStore } from './postgres-restore-request-store.js';
import { createPostgresRuleStore } from './postgres-rule-store.js';
import { createPostgresRunStore } from './postgres-run-store.js';
import { createPostgresTokenStore } from './postgres-token-store.js';

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Where the PostgreSQL store connects, and the hash function for the audit chain. */
export interface PostgresStoreOptions {
  /** A connection string, e.g. `postgres://estop@db.internal:5432/estop`. */
  url: string;
  sha256: Sha256;
  /** The schema holding estop's tables, created by `migrate()` if missing. Default `public`. */
  schema?: string | undefined;
  /**
   * Connection pool limits; by default 10 connections, 2 s to connect (or to wait for a free
   * connection) and 5 s for a query's answer before `unavailable`: with PostgreSQL unreachable,
   * writes are refused within seconds rather than hanging.
   */
  pool?:
    | { max?: number; connectionTimeoutMillis?: number; idleTimeoutMillis?: number; queryTimeoutMillis?: number }
    | undefined;
}

/**
 * The store for a replicated control plane: every replica shares one PostgreSQL database. Each
 * change is one transaction that first locks a single head row, so versions and the audit chain
 * advance one writer at a time across all processes. Call `migrate()` before anything else.
 *
 * @example
 * const store = createPostgresStore({ url: process.env.DATABASE_URL, sha256, schema: 'estop' });
 * await store.migrate();
 */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new EstopError({ code: 'config_invalid', message: `"${schema}" is not a valid schema name` });
  }
  const pool = new Pool({
    connectionString: options.url,
    application_name: 'estop',
    max: options.pool?.max ?? 10,
    connectionTimeoutMillis: options.pool?.connectionTimeoutMillis ?? 2_000,
    idleTimeoutMillis: options.pool?.idleTimeoutMillis ?? 30_000,
    // Bounds a query on a connection whose peer went silent (a partition): the connection is
    // then discarded, not reused.
    query_timeout: options.pool?.queryTimeoutMillis ?? 5_000,
    keepAlive: true,
    // Awaited before the pool hands the connection out, so no query runs in the wrong schema.
    onConnect: async (client) => {
      await client.query(`SET search_path TO ${escapeIdentifier(schema)}`);
    },
  });
  // An idle connection that breaks is reported here and dropped by the pool; the next query
  // opens a new one. Without a listener, Node would treat the event as fatal.
  pool.on('error', () => {});
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new EstopError({ code: 'unavailable', message: 'the store is closed' });
  }

  async function transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    ensureOpen();
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      // A connection that failed or timed out is discarded at once: a ROLLBACK would only wait on it.
      if (!(error instanceof DatabaseError) && !isEstopError(error)) {
        client.release(error instanceof Error ? error : new Error(String(error)));
        throw toStoreError(error);
      }
      // If even ROLLBACK fails the connection is broken: handing the error to release() discards it.
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackError: Error) => client.release(rollbackError),
      );
      throw toStoreError(error);
    }
  }

  const context: PostgresContext = {
    sha256: options.sha256,
    async query(text, values) {
      ensureOpen();
      try {
        return (await pool.query(text, values)).rows;
      } catch (error) {
        throw toStoreError(error);
      }
    },
    transaction,
  };

  return {
    rules: createPostgresRuleStore(context),
    audit: createPostgresAuditStore(context),
    tokens: createPostgresTokenStore(context),
    enforcers: createPostgresEnforcerStore(context),
    restoreRequests: createPostgresRestoreRequestStore(context),
    adminRequests: createPostgresAdminRequestStore(context),
    approvals: createPostgresApprovalStore(context),
    drafts: createPostgresDraftStore(context),
    idempotency: createPostgresIdempotencyStore(context),
    notifications: createPostgresNotificationStore(context),
    runs: createPostgresRunStore(context),
    migrate: () => transaction((client) => migratePostgres(client, schema)),
    watchChanges: (onChange) => watchPostgresChanges(options.url, onChange),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
