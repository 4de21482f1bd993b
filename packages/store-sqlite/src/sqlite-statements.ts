import type Database from 'better-sqlite3';
import {
  AUDIT_COLUMNS,
  ENFORCER_COLUMNS,
  ENFORCER_SELECT,
  ENFORCER_UPSERT_SET,
  LIFT_COLUMNS,
  REQUEST_COLUMNS,
  RULE_COLUMNS,
  RULE_INSERT_COLUMNS,
  TOKEN_COLUMNS,
  type AuditRow,
  type ChangeRow,
  type EnforcerRow,
  type RestoreRequestRow,
  type RuleRow,
  type TokenRow,
  enforcerNotHeldByWhere,
  enforcerSeenSinceWhere,
  enforcerUpsertWhere,
  heartbeatSql,
  removeEnforcersSeenBeforeSql,
} from '@estop/core/sql';

type Statement<Parameters extends unknown[], Result = unknown> = Database.Statement<Parameters, Result>;

/** `?, ?, ?` for a comma-separated column list. */
function placeholders(columns: string): string {
  return columns
    .split(',')
    .map(() => '?')
    .join(', ');
}

/** The prepared statements of one database connection. */
export interface SqliteStatements {
  version: Statement<[], number>;
  storeId: Statement<[], string>;
  activeRules: Statement<[], RuleRow>;
  ruleById: Statement<[string], RuleRow>;
  insertRule: Statement<unknown[]>;
  liftRule: Statement<unknown[]>;
  insertChange: Statement<[number, string, string]>;
  changesAfter: Statement<[number, number], ChangeRow>;
  auditHead: Statement<[], { seq: number; hash: string }>;
  insertAudit: Statement<unknown[]>;
  auditAfter: Statement<[number, number], AuditRow>;
  tokenTaken: Statement<[string, string], number>;
  insertToken: Statement<unknown[]>;
  tokenByHash: Statement<[string], TokenRow>;
  tokens: Statement<[], TokenRow>;
  revokeToken: Statement<[string, string]>;
  upsertEnforcer: Statement<unknown[]>;
  enforcers: Statement<[], EnforcerRow>;
  enforcersSeenSince: Statement<[string, string], EnforcerRow>;
  enforcersSeenSinceNotHeldBy: Statement<[string, string, string], EnforcerRow>;
  removeEnforcer: Statement<[string]>;
  removeEnforcersSeenBefore: Statement<[string, string]>;
  heartbeat: Statement<[string, string, number]>;
  removeHeartbeatsBefore: Statement<[string]>;
  restoreRequestById: Statement<[string], RestoreRequestRow>;
  restoreRequests: Statement<[], RestoreRequestRow>;
  pendingRestoreRequests: Statement<[], RestoreRequestRow>;
  resolveRestoreRequest: Statement<[string, string]>;
}

/** Every statement the store runs, prepared once: preparing is a large share of a small query's cost. */
export function prepareStatements(db: Database.Database): SqliteStatements {
  return {
    version: db.prepare<[], number>('SELECT coalesce(max(version), 0) FROM estop_changes').pluck(),
    storeId: db.prepare<[], string>('SELECT id FROM estop_store LIMIT 1').pluck(),
    activeRules: db.prepare<[], RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM estop_rules WHERE lifted_at IS NULL ORDER BY ordinal`,
    ),
    ruleById: db.prepare<[string], RuleRow>(`SELECT ${RULE_COLUMNS} FROM estop_rules WHERE id = ?`),
    insertRule: db.prepare<unknown[]>(
      `INSERT INTO estop_rules (${RULE_INSERT_COLUMNS}) VALUES (${placeholders(RULE_INSERT_COLUMNS)})`,
    ),
    liftRule: db.prepare<unknown[]>(
      `UPDATE estop_rules SET ${LIFT_COLUMNS.map((column) => `${column} = ?`).join(', ')}
       WHERE id = ? AND lifted_at IS NULL`,
    ),
    insertChange: db.prepare<[number, string, string]>(
      'INSERT INTO estop_changes (version, at, changes) VALUES (?, ?, ?)',
    ),
    changesAfter: db.prepare<[number, number], ChangeRow>(
      'SELECT version, at, changes FROM estop_changes WHERE version > ? ORDER BY version LIMIT ?',
    ),
    auditHead: db.prepare<[], { seq: number; hash: string }>(
      'SELECT seq, hash FROM estop_audit ORDER BY seq DESC LIMIT 1',
    ),
    insertAudit: db.prepare<unknown[]>(
      `INSERT INTO estop_audit (${AUDIT_COLUMNS}) VALUES (${placeholders(AUDIT_COLUMNS)})`,
    ),
    auditAfter: db.prepare<[number, number], AuditRow>(
      `SELECT ${AUDIT_COLUMNS} FROM estop_audit WHERE seq > ? ORDER BY seq LIMIT ?`,
    ),
    tokenTaken: db.prepare<[string, string], number>('SELECT 1 FROM estop_tokens WHERE id = ? OR hash = ?').pluck(),
    insertToken: db.prepare<unknown[]>(
      `INSERT INTO estop_tokens (${TOKEN_COLUMNS}) VALUES (${placeholders(TOKEN_COLUMNS)})`,
    ),
    tokenByHash: db.prepare<[string], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM estop_tokens WHERE hash = ?`),
    tokens: db.prepare<[], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM estop_tokens ORDER BY ordinal`),
    revokeToken: db.prepare<[string, string]>(
      'UPDATE estop_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    ),
    // The record's values, then the writing replica's id twice (see enforcerUpsertWhere).
    upsertEnforcer: db.prepare<unknown[]>(
      `INSERT INTO estop_enforcers (${ENFORCER_COLUMNS}) VALUES (${placeholders(ENFORCER_COLUMNS)})
       ON CONFLICT (id) DO UPDATE SET ${ENFORCER_UPSERT_SET} WHERE ${enforcerUpsertWhere(['?', '?'])}`,
    ),
    enforcers: db.prepare<[], EnforcerRow>(`${ENFORCER_SELECT} ORDER BY e.ordinal`),
    enforcersSeenSince: db.prepare<[string, string], EnforcerRow>(
      `${ENFORCER_SELECT} WHERE ${enforcerSeenSinceWhere(['?', '?'])} ORDER BY e.ordinal`,
    ),
    enforcersSeenSinceNotHeldBy: db.prepare<[string, string, string], EnforcerRow>(
      `${ENFORCER_SELECT} WHERE ${enforcerSeenSinceWhere(['?', '?'])} AND ${enforcerNotHeldByWhere('?')}
       ORDER BY e.ordinal`,
    ),
    removeEnforcer: db.prepare<[string]>('DELETE FROM estop_enforcers WHERE id = ?'),
    removeEnforcersSeenBefore: db.prepare<[string, string]>(removeEnforcersSeenBeforeSql(['?', '?'])),
    heartbeat: db.prepare<[string, string, number]>(heartbeatSql(['?', '?', '?'])),
    removeHeartbeatsBefore: db.prepare<[string]>('DELETE FROM estop_replicas WHERE seen_at < ?'),
    restoreRequestById: db.prepare<[string], RestoreRequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM estop_restore_requests WHERE id = ?`,
    ),
    restoreRequests: db.prepare<[], RestoreRequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM estop_restore_requests ORDER BY ordinal`,
    ),
    pendingRestoreRequests: db.prepare<[], RestoreRequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM estop_restore_requests WHERE resolution IS NULL ORDER BY ordinal`,
    ),
    resolveRestoreRequest: db.prepare<[string, string]>(
      'UPDATE estop_restore_requests SET resolution = ? WHERE id = ? AND resolution IS NULL',
    ),
  };
}
