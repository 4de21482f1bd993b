import type { AuditDraft, AuditEntry } from '@estop/core';
import { alreadyExists, type NewRecordTable } from '@estop/core/sql';
import { appendAudit } from './sqlite-audit-store.js';
import type { SqliteContext } from './sqlite-context.js';

/**
 * What inserts a new record into `table` with its audit entry, `conflict` if its id is taken. Call
 * it inside a write transaction, so that no other writer can take the id between check and insert.
 * Its statements are prepared on first use, which comes after `migrate()` has made the table.
 */
export function newRecordInserter<T>(
  context: SqliteContext,
  table: NewRecordTable<T>,
): (record: T, audit: AuditDraft) => AuditEntry {
  let statements: { taken: { get(id: string): unknown }; insert: { run(...values: unknown[]): unknown } } | undefined;
  return (record, audit) => {
    statements ??= {
      taken: context.db.prepare<[string]>(`SELECT 1 FROM ${table.table} WHERE id = ?`),
      insert: context.db.prepare<unknown[]>(
        `INSERT INTO ${table.table} (${table.columns}) VALUES (${table.columns.replace(/\w+/g, '?')})`,
      ),
    };
    const values = table.values(record);
    const id = String(values[0]);
    if (statements.taken.get(id) !== undefined) throw alreadyExists(table.noun, id, table.detailsKey);
    statements.insert.run(...values);
    return appendAudit(context, [audit])[0] as AuditEntry;
  };
}
