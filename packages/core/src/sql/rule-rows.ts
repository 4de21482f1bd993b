import type { Actor } from '../actor.js';
import type { Mode } from '../modes.js';
import type { Rule, RuleLift, RuleRecord } from '../rule.js';
import type { Scope } from '../scope.js';
import type { Change, ChangeEvent } from '../state.js';
import type { SqlDialect } from './sql-dialect.js';
import { present } from './present.js';

/** A row of `estop_rules` as a driver returns it; JSON and boolean columns are the dialect's to read. */
export interface RuleRow {
  id: string;
  scope: unknown;
  mode: string;
  reason: string;
  actor: unknown;
  created_at: string;
  starts_at: string | null;
  expires_at: string | null;
  cancel_in_flight: unknown;
  lifted_at: string | null;
  lift_actor: unknown;
  lift_reason: string | null;
  lift_expired: unknown;
}

/** The columns `RuleRow` reads. */
export const RULE_COLUMNS = `id, scope, mode, reason, actor, created_at, starts_at, expires_at, cancel_in_flight,
  lifted_at, lift_actor, lift_reason, lift_expired`;

/** The columns `ruleValues` writes, in order. */
export const RULE_INSERT_COLUMNS =
  'id, scope, mode, reason, actor, created_at, starts_at, expires_at, cancel_in_flight, created_version';

/** The values, in `RULE_INSERT_COLUMNS` order, that insert a rule created at `version`. */
export function ruleValues(rule: Rule, version: number, dialect: SqlDialect): unknown[] {
  return [
    rule.id,
    JSON.stringify(rule.scope),
    rule.mode,
    rule.reason,
    JSON.stringify(rule.actor),
    rule.createdAt,
    rule.startsAt ?? null,
    rule.expiresAt ?? null,
    dialect.bindBoolean(rule.cancelInFlight),
    version,
  ];
}

/** The columns `liftValues` sets, in order, on the rule whose id comes last. */
export const LIFT_COLUMNS = ['lifted_at', 'lift_actor', 'lift_reason', 'lift_expired', 'lifted_version'] as const;

/** The values, in `LIFT_COLUMNS` order and then the rule's id, that mark a rule lifted at `version`. */
export function liftValues(lift: RuleLift, version: number, dialect: SqlDialect): unknown[] {
  return [lift.at, JSON.stringify(lift.actor), lift.reason, dialect.bindBoolean(lift.expired), version, lift.ruleId];
}

/** The rule a row holds. */
export function ruleFromRow(row: RuleRow, dialect: SqlDialect): Rule {
  return {
    id: row.id,
    scope: dialect.readJson(row.scope) as Scope,
    mode: row.mode as Mode,
    reason: row.reason,
    actor: dialect.readJson(row.actor) as Actor,
    createdAt: row.created_at,
    ...present('startsAt', row.starts_at),
    ...present('expiresAt', row.expires_at),
    cancelInFlight: dialect.readBoolean(row.cancel_in_flight),
  };
}

/** The rule a row holds, with its lift if it has one. */
export function ruleRecordFromRow(row: RuleRow, dialect: SqlDialect): RuleRecord {
  const rule = ruleFromRow(row, dialect);
  if (row.lifted_at === null) return { rule };
  const lift: RuleLift = {
    ruleId: row.id,
    actor: (row.lift_actor === null ? null : dialect.readJson(row.lift_actor)) as Actor,
    reason: row.lift_reason ?? '',
    at: row.lifted_at,
    expired: row.lift_expired !== null && dialect.readBoolean(row.lift_expired),
  };
  return { rule, lift };
}

/** A row of `estop_changes` as a driver returns it (a 64-bit version may come back as text). */
export interface ChangeRow {
  version: number | string;
  at: string;
  changes: unknown;
}

/** The change event a row holds. */
export function changeEventFromRow(row: ChangeRow, dialect: SqlDialect): ChangeEvent {
  return { version: Number(row.version), at: row.at, changes: dialect.readJson(row.changes) as Change[] };
}
