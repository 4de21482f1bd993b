import type { Actor } from '../actor.js';
import type { AuditAction, AuditEntry } from '../audit.js';
import type { Scope } from '../scope.js';
import type { SqlDialect } from './sql-dialect.js';
import { jsonOrNull, present } from './present.js';

/** A row of `estop_audit` as a driver returns it (a 64-bit sequence number may come back as text). */
export interface AuditRow {
  seq: number | string;
  at: string;
  action: string;
  actor: unknown;
  reason: string | null;
  scope: unknown;
  rule_id: string | null;
  data: unknown;
  prev_hash: string;
  hash: string;
}

/** The columns `AuditRow` reads and `auditValues` writes, in order. */
export const AUDIT_COLUMNS = 'seq, at, action, actor, reason, scope, rule_id, data, prev_hash, hash';

/** The values, in `AUDIT_COLUMNS` order, that store an audit entry. */
export function auditValues(entry: AuditEntry): unknown[] {
  return [
    entry.seq,
    entry.at,
    entry.action,
    JSON.stringify(entry.actor),
    entry.reason ?? null,
    jsonOrNull(entry.scope),
    entry.ruleId ?? null,
    jsonOrNull(entry.data),
    entry.prevHash,
    entry.hash,
  ];
}

/** The audit entry a row holds. */
export function auditFromRow(row: AuditRow, dialect: SqlDialect): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    action: row.action as AuditAction,
    actor: dialect.readJson(row.actor) as Actor,
    ...present('reason', row.reason),
    ...present('scope', row.scope === null ? null : (dialect.readJson(row.scope) as Scope)),
    ...present('ruleId', row.rule_id),
    ...present('data', row.data === null ? null : (dialect.readJson(row.data) as Record<string, unknown>)),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
