// The SQL layer the SQLite and PostgreSQL stores share: the schema's steps, the column lists and
// the row codecs. Pure strings and functions, no driver: each store keeps its driver, its
// transactions, its statements and its dialect's type coercions (`SqlDialect`).
export type { SqlColumnTypes, SqlDialect } from './sql-dialect.js';
export type { SqlMigration } from './sql-migrations.js';
export { pendingMigrations, sqlMigrations } from './sql-migrations.js';
export type { ChangeRow, RuleRow } from './rule-rows.js';
export { LIFT_COLUMNS, RULE_COLUMNS, RULE_INSERT_COLUMNS } from './rule-rows.js';
export { changeEventFromRow, liftValues, ruleFromRow, ruleRecordFromRow, ruleValues } from './rule-rows.js';
export type { AuditRow } from './audit-rows.js';
export { AUDIT_COLUMNS, auditFromRow, auditValues } from './audit-rows.js';
export type { TokenRow } from './token-rows.js';
export { TOKEN_COLUMNS, tokenFromRow, tokenValues } from './token-rows.js';
export type { EnforcerRow } from './enforcer-rows.js';
export type { RunRow } from './run-rows.js';
export { RUN_COLUMNS, runFromRow, runValues } from './run-rows.js';
export {
  ENFORCER_COLUMNS,
  ENFORCER_SELECT,
  ENFORCER_UPSERT_SET,
  enforcerFromRow,
  enforcerNotHeldByWhere,
  enforcerSeenSinceWhere,
  enforcerUpsertWhere,
  enforcerValues,
  heartbeatSql,
  removeEnforcersSeenBeforeSql,
} from './enforcer-rows.js';
export type { AdminRequestRow, ApprovalRow, RestoreRequestRow } from './request-rows.js';
export {
  APPROVAL_COLUMNS,
  REQUEST_COLUMNS,
  adminRequestFromRow,
  approvalFromRow,
  restoreRequestFromRow,
} from './request-rows.js';
export type { NewRecordTable } from './new-records.js';
export { ADMIN_REQUESTS, APPROVAL_REQUESTS, DRAFTS, RESTORE_REQUESTS, alreadyExists } from './new-records.js';
export type { DeliveryRow, ReceiverCountRow } from './notification-rows.js';
export {
  DELIVERY_COLUMNS,
  DELIVERY_INSERT_COLUMNS,
  RECEIVER_SUMMARY_SQL,
  deliveryFromRow,
  newDeliveryValues,
  receiverSummaries,
  settleValues,
} from './notification-rows.js';
