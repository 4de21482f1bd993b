import type { PoolClient } from 'pg';
import { EstopError, type AuditHead } from '@estop/core';
import type { PostgresContext } from './postgres-context.js';

/** The single row every change passes through: the state version and the audit chain's head. */
export interface Head {
  version: number;
  audit: AuditHead;
}

interface HeadRow {
  version: string;
  audit_seq: string;
  audit_hash: string;
}

const SELECT_HEAD = 'SELECT version, audit_seq, audit_hash FROM estop_head WHERE id = 1';

function headOf(rows: readonly HeadRow[]): Head {
  const row = rows[0];
  if (row === undefined) throw new EstopError({ code: 'internal', message: 'estop_head has no row; run migrate()' });
  return { version: Number(row.version), audit: { seq: Number(row.audit_seq), hash: row.audit_hash } };
}

/**
 * Reads the head row and locks it until the transaction ends. Every writer of versions or audit
 * entries takes this lock first, so writers in all processes queue on it, one at a time.
 */
export async function lockHead(client: PoolClient): Promise<Head> {
  return headOf((await client.query<HeadRow>(`${SELECT_HEAD} FOR UPDATE`)).rows);
}

/** Reads the head row without locking it. */
export async function readHead(context: PostgresContext): Promise<Head> {
  return headOf(await context.query<HeadRow>(SELECT_HEAD));
}
