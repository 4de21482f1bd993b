import type { Role, TokenRecord } from '../token.js';
import type { SqlDialect } from './sql-dialect.js';
import { present } from './present.js';

/** A row of `estop_tokens` as a driver returns it. */
export interface TokenRow {
  id: string;
  name: string;
  principal_id: string;
  role: string;
  tenant: string | null;
  agent: string | null;
  any_agent: unknown;
  hash: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

/** The columns `TokenRow` reads and `tokenValues` writes, in order. */
export const TOKEN_COLUMNS =
  'id, name, principal_id, role, tenant, agent, any_agent, hash, created_at, created_by, revoked_at';

/** The values, in `TOKEN_COLUMNS` order, that insert a token. */
export function tokenValues(record: TokenRecord, dialect: SqlDialect): unknown[] {
  return [
    record.id,
    record.name,
    record.principalId,
    record.role,
    record.tenant ?? null,
    record.agent ?? null,
    dialect.bindBoolean(record.anyAgent === true),
    record.hash,
    record.createdAt,
    record.createdBy,
    record.revokedAt ?? null,
  ];
}

/** The token a row holds. */
export function tokenFromRow(row: TokenRow, dialect: SqlDialect): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    principalId: row.principal_id,
    role: row.role as Role,
    ...present('tenant', row.tenant),
    ...present('agent', row.agent),
    ...(dialect.readBoolean(row.any_agent) ? { anyAgent: true } : {}),
    hash: row.hash,
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...present('revokedAt', row.revoked_at),
  };
}
