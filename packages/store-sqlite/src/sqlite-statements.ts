import type Database from 'better-sqlite3';
import type {
  AuditRow,
  EnforcerRow,
  LiftUpdate,
  RestoreRequestRow,
  RuleInsert,
  RuleRow,
  TokenRow,
} from './sqlite-rows.js';

const RULE_COLUMNS = `id, scope, mode, reason, actor, created_at, expires_at, cancel_in_flight,
  lifted_at, lift_actor, lift_reason, lift_expired`;
const TOKEN_COLUMNS =
  'id, name, principal_id, role, tenant, agent, any_agent, hash, created_at, created_by, revoked_at';
const ENFORCER_COLUMNS = 'id, name, kind, host, pid, version, in_flight, last_seen_at, tenant';

type Statement<Parameters extends unknown[], Result = unknown> = Database.Statement<Parameters, Result>;

/** The prepared statements of one database connection. */
export interface SqliteStatements {
  version: Statement<[], number>;
  activeRules: Statement<[], RuleRow>;
  ruleById: Statement<[string], RuleRow>;
  insertRule: Statement<[RuleInsert]>;
  liftRule: Statement<[LiftUpdate]>;
  insertChange: Statement<[number, string, string]>;
  changesAfter: Statement<[number, number], { version: number; at: string; changes: string }>;
  auditHead: Statement<[], { seq: number; hash: string }>;
  insertAudit: Statement<[AuditRow]>;
  auditAfter: Statement<[number, number], AuditRow>;
  tokenTaken: Statement<[string, string], number>;
  insertToken: Statement<[TokenRow]>;
  tokenByHash: Statement<[string], TokenRow>;
  tokens: Statement<[], TokenRow>;
  revokeToken: Statement<[string, string]>;
  upsertEnforcer: Statement<[EnforcerRow]>;
  enforcers: Statement<[], EnforcerRow>;
  enforcersSeenSince: Statement<[string], EnforcerRow>;
  insertRestoreRequest: Statement<[string, string]>;
  restoreRequestById: Statement<[string], RestoreRequestRow>;
  restoreRequests: Statement<[], RestoreRequestRow>;
  pendingRestoreRequests: Statement<[], RestoreRequestRow>;
  resolveRestoreRequest: Statement<[string, string]>;
}

/** Every statement the store runs, prepared once: preparing is a large share of a small query's cost. */
export function prepareStatements(db: Database.Database): SqliteStatements {
  return {
    version: db.prepare<[], number>('SELECT coalesce(max(version), 0) FROM estop_changes').pluck(),
    activeRules: db.prepare<[], RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM estop_rules WHERE lifted_at IS NULL ORDER BY ordinal`,
    ),
    ruleById: db.prepare<[string], RuleRow>(`SELECT ${RULE_COLUMNS} FROM estop_rules WHERE id = ?`),
    insertRule: db.prepare<[RuleInsert]>(
      `INSERT INTO estop_rules (id, scope, mode, reason, actor, created_at, expires_at, cancel_in_flight, created_version)
       VALUES (@id, @scope, @mode, @reason, @actor, @created_at, @expires_at, @cancel_in_flight, @created_version)`,
    ),
    liftRule: db.prepare<[LiftUpdate]>(
      `UPDATE estop_rules SET lifted_at = @lifted_at, lift_actor = @lift_actor, lift_reason = @lift_reason,
         lift_expired = @lift_expired, lifted_version = @lifted_version
       WHERE id = @id AND lifted_at IS NULL`,
    ),
    insertChange: db.prepare<[number, string, string]>(
      'INSERT INTO estop_changes (version, at, changes) VALUES (?, ?, ?)',
    ),
    changesAfter: db.prepare<[number, number], { version: number; at: string; changes: string }>(
      'SELECT version, at, changes FROM estop_changes WHERE version > ? ORDER BY version LIMIT ?',
    ),
    auditHead: db.prepare<[], { seq: number; hash: string }>(
      'SELECT seq, hash FROM estop_audit ORDER BY seq DESC LIMIT 1',
    ),
    insertAudit: db.prepare<[AuditRow]>(
      `INSERT INTO estop_audit (seq, at, action, actor, reason, scope, rule_id, data, prev_hash, hash)
       VALUES (@seq, @at, @action, @actor, @reason, @scope, @rule_id, @data, @prev_hash, @hash)`,
    ),
    auditAfter: db.prepare<[number, number], AuditRow>('SELECT * FROM estop_audit WHERE seq > ? ORDER BY seq LIMIT ?'),
    tokenTaken: db.prepare<[string, string], number>('SELECT 1 FROM estop_tokens WHERE id = ? OR hash = ?').pluck(),
    insertToken: db.prepare<[TokenRow]>(
      `INSERT INTO estop_tokens (${TOKEN_COLUMNS})
       VALUES (@id, @name, @principal_id, @role, @tenant, @agent, @any_agent, @hash, @created_at, @created_by,
         @revoked_at)`,
    ),
    tokenByHash: db.prepare<[string], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM estop_tokens WHERE hash = ?`),
    tokens: db.prepare<[], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM estop_tokens ORDER BY ordinal`),
    revokeToken: db.prepare<[string, string]>(
      'UPDATE estop_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    ),
    upsertEnforcer: db.prepare<[EnforcerRow]>(
      `INSERT INTO estop_enforcers (${ENFORCER_COLUMNS})
       VALUES (@id, @name, @kind, @host, @pid, @version, @in_flight, @last_seen_at, @tenant)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, host = excluded.host,
         pid = excluded.pid, version = excluded.version, in_flight = excluded.in_flight,
         last_seen_at = excluded.last_seen_at, tenant = excluded.tenant`,
    ),
    enforcers: db.prepare<[], EnforcerRow>(`SELECT ${ENFORCER_COLUMNS} FROM estop_enforcers ORDER BY ordinal`),
    enforcersSeenSince: db.prepare<[string], EnforcerRow>(
      `SELECT ${ENFORCER_COLUMNS} FROM estop_enforcers WHERE last_seen_at >= ? ORDER BY ordinal`,
    ),
    insertRestoreRequest: db.prepare<[string, string]>(
      'INSERT INTO estop_restore_requests (id, request) VALUES (?, ?)',
    ),
    restoreRequestById: db.prepare<[string], RestoreRequestRow>(
      'SELECT request, resolution FROM estop_restore_requests WHERE id = ?',
    ),
    restoreRequests: db.prepare<[], RestoreRequestRow>(
      'SELECT request, resolution FROM estop_restore_requests ORDER BY ordinal',
    ),
    pendingRestoreRequests: db.prepare<[], RestoreRequestRow>(
      'SELECT request, resolution FROM estop_restore_requests WHERE resolution IS NULL ORDER BY ordinal',
    ),
    resolveRestoreRequest: db.prepare<[string, string]>(
      'UPDATE estop_restore_requests SET resolution = ? WHERE id = ? AND resolution IS NULL',
    ),
  };
}
