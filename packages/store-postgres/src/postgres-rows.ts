import type {
  Actor,
  AuditAction,
  AuditEntry,
  Change,
  EnforcerKind,
  EnforcerRecord,
  Mode,
  Role,
  Rule,
  RuleLift,
  RuleRecord,
  Scope,
  TokenRecord,
} from '@estop/core';

// The driver parses jsonb columns, but returns bigint columns as strings (they can exceed 2^53);
// estop's versions and sequence numbers stay far below that, so they become numbers here.

/** `{ [key]: value }`, or nothing when the column is NULL, so absent fields stay absent. */
function present<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return value === null ? {} : ({ [key]: value } as { [P in K]?: V });
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** A row of `estop_rules`. */
export interface RuleRow {
  id: string;
  scope: Scope;
  mode: string;
  reason: string;
  actor: Actor;
  created_at: string;
  expires_at: string | null;
  cancel_in_flight: boolean;
  lifted_at: string | null;
  lift_actor: Actor | null;
  lift_reason: string | null;
  lift_expired: boolean | null;
}

/** The columns `RuleRow` reads. */
export const RULE_COLUMNS = `id, scope, mode, reason, actor, created_at, expires_at, cancel_in_flight,
  lifted_at, lift_actor, lift_reason, lift_expired`;

/** The values, in column order, that insert a rule created at `version`. */
export function ruleValues(rule: Rule, version: number): unknown[] {
  return [
    rule.id,
    JSON.stringify(rule.scope),
    rule.mode,
    rule.reason,
    JSON.stringify(rule.actor),
    rule.createdAt,
    rule.expiresAt ?? null,
    rule.cancelInFlight,
    version,
  ];
}

/** The values, in column order, that mark a rule lifted at `version`. */
export function liftValues(lift: RuleLift, version: number): unknown[] {
  return [lift.ruleId, lift.at, JSON.stringify(lift.actor), lift.reason, lift.expired, version];
}

/** The rule a row holds. */
export function ruleFromRow(row: RuleRow): Rule {
  return {
    id: row.id,
    scope: row.scope,
    mode: row.mode as Mode,
    reason: row.reason,
    actor: row.actor,
    createdAt: row.created_at,
    ...present('expiresAt', row.expires_at),
    cancelInFlight: row.cancel_in_flight,
  };
}

/** The rule a row holds, with its lift if it has one. */
export function recordFromRow(row: RuleRow): RuleRecord {
  const rule = ruleFromRow(row);
  if (row.lifted_at === null) return { rule };
  const lift: RuleLift = {
    ruleId: row.id,
    actor: row.lift_actor as Actor,
    reason: row.lift_reason ?? '',
    at: row.lifted_at,
    expired: row.lift_expired === true,
  };
  return { rule, lift };
}

/** A row of `estop_changes`. */
export interface ChangeRow {
  version: string;
  at: string;
  changes: Change[];
}

/** A row of `estop_audit`. */
export interface AuditRow {
  seq: string;
  at: string;
  action: string;
  actor: Actor;
  reason: string | null;
  scope: Scope | null;
  rule_id: string | null;
  data: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
}

/** The columns `AuditRow` reads and `auditColumns` writes, in order. */
export const AUDIT_COLUMNS = 'seq, at, action, actor, reason, scope, rule_id, data, prev_hash, hash';

/**
 * Entries as one array per column, in `AUDIT_COLUMNS` order, for a single INSERT ... SELECT FROM
 * unnest(...): one statement and one round trip for a batch of any size.
 */
export function auditColumns(entries: readonly AuditEntry[]): unknown[][] {
  return [
    entries.map((entry) => entry.seq),
    entries.map((entry) => entry.at),
    entries.map((entry) => entry.action),
    entries.map((entry) => JSON.stringify(entry.actor)),
    entries.map((entry) => entry.reason ?? null),
    entries.map((entry) => jsonOrNull(entry.scope)),
    entries.map((entry) => entry.ruleId ?? null),
    entries.map((entry) => jsonOrNull(entry.data)),
    entries.map((entry) => entry.prevHash),
    entries.map((entry) => entry.hash),
  ];
}

/** The audit entry a row holds. */
export function auditFromRow(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    action: row.action as AuditAction,
    actor: row.actor,
    ...present('reason', row.reason),
    ...present('scope', row.scope),
    ...present('ruleId', row.rule_id),
    ...present('data', row.data),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** A row of `estop_tokens`. */
export interface TokenRow {
  id: string;
  name: string;
  principal_id: string;
  role: string;
  tenant: string | null;
  agent: string | null;
  any_agent: boolean;
  hash: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

/** The columns `TokenRow` reads and `tokenValues` writes, in order. */
export const TOKEN_COLUMNS =
  'id, name, principal_id, role, tenant, agent, any_agent, hash, created_at, created_by, revoked_at';

/** The values, in `TOKEN_COLUMNS` order, that insert a token. */
export function tokenValues(record: TokenRecord): unknown[] {
  return [
    record.id,
    record.name,
    record.principalId,
    record.role,
    record.tenant ?? null,
    record.agent ?? null,
    record.anyAgent === true,
    record.hash,
    record.createdAt,
    record.createdBy,
    record.revokedAt ?? null,
  ];
}

/** The token a row holds. */
export function tokenFromRow(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    principalId: row.principal_id,
    role: row.role as Role,
    ...present('tenant', row.tenant),
    ...present('agent', row.agent),
    ...(row.any_agent ? { anyAgent: true } : {}),
    hash: row.hash,
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...present('revokedAt', row.revoked_at),
  };
}

/** A row of `estop_enforcers`. */
export interface EnforcerRow {
  id: string;
  name: string;
  kind: string;
  host: string | null;
  pid: number | null;
  version: string;
  in_flight: number;
  last_seen_at: string;
  tenant: string | null;
}

/** The columns `EnforcerRow` reads and `enforcerValues` writes, in order. */
export const ENFORCER_COLUMNS = 'id, name, kind, host, pid, version, in_flight, last_seen_at, tenant';

/** The values, in `ENFORCER_COLUMNS` order, that store an enforcer. */
export function enforcerValues(record: EnforcerRecord): unknown[] {
  return [
    record.id,
    record.name,
    record.kind,
    record.host ?? null,
    record.pid ?? null,
    record.version,
    record.inFlight,
    record.lastSeenAt,
    record.tenant ?? null,
  ];
}

/** The enforcer a row holds. */
export function enforcerFromRow(row: EnforcerRow): EnforcerRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as EnforcerKind,
    ...present('host', row.host),
    ...present('pid', row.pid),
    version: Number(row.version),
    inFlight: row.in_flight,
    lastSeenAt: row.last_seen_at,
    ...present('tenant', row.tenant),
  };
}
