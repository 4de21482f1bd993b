import type {
  Actor,
  AuditAction,
  AuditEntry,
  EnforcerKind,
  EnforcerRecord,
  Mode,
  RestoreRequestRecord,
  RestoreResolution,
  Role,
  Rule,
  RuleLift,
  RuleRecord,
  Scope,
  TokenRecord,
} from '@estop/core';

/** `{ [key]: value }`, or nothing when the column is NULL, so absent fields stay absent. */
function present<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return value === null ? {} : ({ [key]: value } as { [P in K]?: V });
}

function json<T>(text: string): T {
  return JSON.parse(text) as T;
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** A row of `estop_rules`. */
export interface RuleRow {
  id: string;
  scope: string;
  mode: string;
  reason: string;
  actor: string;
  created_at: string;
  expires_at: string | null;
  cancel_in_flight: number;
  lifted_at: string | null;
  lift_actor: string | null;
  lift_reason: string | null;
  lift_expired: number | null;
}

/** The parameters that insert a rule. */
export interface RuleInsert {
  id: string;
  scope: string;
  mode: string;
  reason: string;
  actor: string;
  created_at: string;
  expires_at: string | null;
  cancel_in_flight: number;
  created_version: number;
}

/** The parameters that insert a rule created at `version`. */
export function ruleParameters(rule: Rule, version: number): RuleInsert {
  return {
    id: rule.id,
    scope: JSON.stringify(rule.scope),
    mode: rule.mode,
    reason: rule.reason,
    actor: JSON.stringify(rule.actor),
    created_at: rule.createdAt,
    expires_at: rule.expiresAt ?? null,
    // SQLite has no boolean type, and better-sqlite3 refuses to bind one.
    cancel_in_flight: rule.cancelInFlight ? 1 : 0,
    created_version: version,
  };
}

/** The parameters that mark a rule lifted. */
export interface LiftUpdate {
  id: string;
  lifted_at: string;
  lift_actor: string;
  lift_reason: string;
  lift_expired: number;
  lifted_version: number;
}

/** The parameters that mark a rule lifted at `version`. */
export function liftParameters(lift: RuleLift, version: number): LiftUpdate {
  return {
    id: lift.ruleId,
    lifted_at: lift.at,
    lift_actor: JSON.stringify(lift.actor),
    lift_reason: lift.reason,
    lift_expired: lift.expired ? 1 : 0,
    lifted_version: version,
  };
}

/** The rule a row holds. */
export function ruleFromRow(row: RuleRow): Rule {
  return {
    id: row.id,
    scope: json(row.scope),
    mode: row.mode as Mode,
    reason: row.reason,
    actor: json(row.actor),
    createdAt: row.created_at,
    ...present('expiresAt', row.expires_at),
    cancelInFlight: row.cancel_in_flight === 1,
  };
}

/** The rule a row holds, with its lift if it has one. */
export function recordFromRow(row: RuleRow): RuleRecord {
  const rule = ruleFromRow(row);
  if (row.lifted_at === null) return { rule };
  const lift: RuleLift = {
    ruleId: row.id,
    actor: json(row.lift_actor ?? 'null'),
    reason: row.lift_reason ?? '',
    at: row.lifted_at,
    expired: row.lift_expired === 1,
  };
  return { rule, lift };
}

/** A row of `estop_audit`. */
export interface AuditRow {
  seq: number;
  at: string;
  action: string;
  actor: string;
  reason: string | null;
  scope: string | null;
  rule_id: string | null;
  data: string | null;
  prev_hash: string;
  hash: string;
}

/** The row that stores an audit entry. */
export function auditRow(entry: AuditEntry): AuditRow {
  return {
    seq: entry.seq,
    at: entry.at,
    action: entry.action,
    actor: JSON.stringify(entry.actor),
    reason: entry.reason ?? null,
    scope: jsonOrNull(entry.scope),
    rule_id: entry.ruleId ?? null,
    data: jsonOrNull(entry.data),
    prev_hash: entry.prevHash,
    hash: entry.hash,
  };
}

/** The audit entry a row holds. */
export function auditFromRow(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    action: row.action as AuditAction,
    actor: json<Actor>(row.actor),
    ...present('reason', row.reason),
    ...present('scope', row.scope === null ? null : json<Scope>(row.scope)),
    ...present('ruleId', row.rule_id),
    ...present('data', row.data === null ? null : json<Record<string, unknown>>(row.data)),
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
  any_agent: number;
  hash: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

/** The parameters that insert a token. */
export function tokenRow(record: TokenRecord): TokenRow {
  return {
    id: record.id,
    name: record.name,
    principal_id: record.principalId,
    role: record.role,
    tenant: record.tenant ?? null,
    agent: record.agent ?? null,
    any_agent: record.anyAgent === true ? 1 : 0,
    hash: record.hash,
    created_at: record.createdAt,
    created_by: record.createdBy,
    revoked_at: record.revokedAt ?? null,
  };
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
    ...(row.any_agent === 1 ? { anyAgent: true } : {}),
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
  version: number;
  in_flight: number;
  last_seen_at: string;
  tenant: string | null;
}

/** The parameters that store an enforcer. */
export function enforcerRow(record: EnforcerRecord): EnforcerRow {
  return {
    id: record.id,
    name: record.name,
    kind: record.kind,
    host: record.host ?? null,
    pid: record.pid ?? null,
    version: record.version,
    in_flight: record.inFlight,
    last_seen_at: record.lastSeenAt,
    tenant: record.tenant ?? null,
  };
}

/** The enforcer a row holds. */
export function enforcerFromRow(row: EnforcerRow): EnforcerRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as EnforcerKind,
    ...present('host', row.host),
    ...present('pid', row.pid),
    version: row.version,
    inFlight: row.in_flight,
    lastSeenAt: row.last_seen_at,
    ...present('tenant', row.tenant),
  };
}

/** A row of `estop_restore_requests`: the request and its resolution as JSON. */
export interface RestoreRequestRow {
  request: string;
  resolution: string | null;
}

/** The restore request a row holds, with its resolution if it has one. */
export function restoreRequestFromRow(row: RestoreRequestRow): RestoreRequestRecord {
  return {
    request: json(row.request),
    ...present('resolution', row.resolution === null ? null : json<RestoreResolution>(row.resolution)),
  };
}
