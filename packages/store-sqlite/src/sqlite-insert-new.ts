import type { AuditDraft, AuditEntry } from '@estop/core';
import { alreadyExists, type NewRecordName } from '@estop/core/sql';
import { appendAudit } from './sqlite-audit-store.js';
import type { SqliteContext } from './sqlite-context.js';

/** A record to insert once: its name for a conflict, whether its id is taken, and how to insert it. */
export interface NewRecord extends NewRecordName {
  taken(): boolean;
  insert(): void;
}

/**
 * Inserts a new record and its audit entry; `conflict` if its id is taken. Call it inside a write
 * transaction, so that no other writer can take the id between check and insert.
 */
export function insertNewWithAudit(context: SqliteContext, record: NewRecord, audit: AuditDraft): AuditEntry {
  if (record.taken()) throw alreadyExists(record);
  record.insert();
  return appendAudit(context, [audit])[0] as AuditEntry;
}
