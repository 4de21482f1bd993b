import type { AuditDraft, AuditEntry } from '@estop/core';
import { alreadyExists, type NewRecordTable } from '@estop/core/sql';
import { appendAudit } from './postgres-audit-store.js';
import type { PostgresContext } from './postgres-context.js';
import { lockHead } from './postgres-head.js';

/**
 * Inserts a new record into `table` and its audit entry in one transaction; `conflict` if its id is
 * taken. Under the head lock, so that no other writer can take the id between check and insert.
 */
export function insertNewWithAudit<T>(
  context: PostgresContext,
  table: NewRecordTable<T>,
  record: T,
  audit: AuditDraft,
): Promise<AuditEntry> {
  const values = table.values(record);
  const id = String(values[0]);
  const placeholders = values.map((_, index) => `$${index + 1}`).join(', ');
  return context.transaction(async (client) => {
    const head = await lockHead(client);
    const taken = await client.query(`SELECT 1 FROM ${table.table} WHERE id = $1`, [id]);
    if (taken.rowCount !== 0) throw alreadyExists(table.noun, id, table.detailsKey);
    await client.query(`INSERT INTO ${table.table} (${table.columns}) VALUES (${placeholders})`, values);
    return (await appendAudit(client, head.audit, [audit], context.sha256))[0] as AuditEntry;
  });
}
