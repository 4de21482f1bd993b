import type { PoolClient } from 'pg';
import type { AuditEntry, TokenRecord, TokenStore } from '@estop/core';
import { appendAudit } from './postgres-audit-store.js';
import type { PostgresContext } from './postgres-context.js';
import { lockHead } from './postgres-head.js';
import { TOKEN_COLUMNS, alreadyExists, tokenFromRow, tokenValues, type TokenRow } from '@estop/core/sql';
import { POSTGRES_DIALECT } from './postgres-dialect.js';

/**
 * Inserts a token within the caller's transaction, which must hold the head lock so that no other
 * writer takes the id or hash between check and insert; `conflict` if either is taken.
 */
export async function insertToken(client: PoolClient, record: TokenRecord): Promise<void> {
  const taken = await client.query('SELECT 1 FROM estop_tokens WHERE id = $1 OR hash = $2', [record.id, record.hash]);
  if (taken.rowCount !== 0) {
    throw alreadyExists('token', record.id, 'tokenId');
  }
  await client.query(
    `INSERT INTO estop_tokens (${TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    tokenValues(record, POSTGRES_DIALECT),
  );
}

/** API tokens on PostgreSQL; creating and revoking write the token and its audit entry in one transaction. */
export function createPostgresTokenStore(context: PostgresContext): TokenStore {
  return {
    async create(record, audit) {
      return context.transaction(async (client) => {
        const head = await lockHead(client);
        await insertToken(client, record);
        return (await appendAudit(client, head.audit, [audit], context.sha256))[0] as AuditEntry;
      });
    },
    async findByHash(hash) {
      const rows = await context.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM estop_tokens WHERE hash = $1`, [hash]);
      return rows[0] === undefined ? undefined : tokenFromRow(rows[0], POSTGRES_DIALECT);
    },
    async list() {
      const rows = await context.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM estop_tokens ORDER BY ordinal`);
      return rows.map((row) => tokenFromRow(row, POSTGRES_DIALECT));
    },
    async revoke(id, audit) {
      return context.transaction(async (client) => {
        const head = await lockHead(client);
        // The audit entry's time is the revocation time, so the record and the log agree.
        const updated = await client.query(
          'UPDATE estop_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
          [audit.at, id],
        );
        if (updated.rowCount === 0) return false;
        await appendAudit(client, head.audit, [audit], context.sha256);
        return true;
      });
    },
  };
}
