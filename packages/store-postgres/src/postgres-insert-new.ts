import type { PoolClient } from 'pg';
import type { AuditDraft, AuditEntry } from '@estop/core';
import { alreadyExists, type NewRecordName } from '@estop/core/sql';
import { appendAudit } from './postgres-audit-store.js';
import type { PostgresContext } from './postgres-context.js';
import { lockHead } from './postgres-head.js';

/** A record to insert once: its name for a conflict, its table, and how to insert it. */
export interface NewRecord extends NewRecordName {
  table: string;
  insert(client: PoolClient): Promise<unknown>;
}

/**
 * Inserts a new record and its audit entry in one transaction; `conflict` if its id is taken. Under
 * the head lock, so that no other writer can take the id between check and insert.
 */
export function insertNewWithAudit(
  context: PostgresContext,
  record: NewRecord,
  audit: AuditDraft,
): Promise<AuditEntry> {
  return context.transaction(async (client) => {
    const head = await lockHead(client);
    const taken = await client.query(`SELECT 1 FROM ${record.table} WHERE id = $1`, [record.id]);
    if (taken.rowCount !== 0) throw alreadyExists(record);
    await record.insert(client);
    return (await appendAudit(client, head.audit, [audit], context.sha256))[0] as AuditEntry;
  });
}
