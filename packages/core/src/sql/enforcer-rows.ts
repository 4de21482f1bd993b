import type { EnforcerKind, EnforcerRecord } from '../enforcer.js';
import { present } from './present.js';

/** A row of `estop_enforcers` as a driver returns it (a 64-bit version may come back as text). */
export interface EnforcerRow {
  id: string;
  name: string;
  kind: string;
  host: string | null;
  pid: number | null;
  version: number | string;
  in_flight: number;
  last_seen_at: string;
  tenant: string | null;
  replica: string | null;
}

/** The columns `EnforcerRow` reads and `enforcerValues` writes, in order; `id` first. */
export const ENFORCER_COLUMNS = 'id, name, kind, host, pid, version, in_flight, last_seen_at, tenant, replica';

/** `name = excluded.name, ...` for every column but `id`: what an upsert of an enforcer overwrites. */
export const ENFORCER_UPSERT_SET = ENFORCER_COLUMNS.split(', ')
  .slice(1)
  .map((column) => `${column} = excluded.${column}`)
  .join(', ');

/**
 * The condition under which an upsert replaces a stored record, given the writing replica's id as
 * the parameter `writer` (its dialect's placeholder, bound twice; NULL when no replica writes): a
 * record naming no replica does not replace one naming another replica, which holds the stream now.
 */
export function enforcerUpsertWhere(writer: [string, string]): string {
  return `excluded.replica IS NOT NULL OR estop_enforcers.replica IS NULL OR ${writer[0]} IS NULL OR estop_enforcers.replica = ${writer[1]}`;
}

/**
 * When an enforcer was last seen, over `estop_enforcers e LEFT JOIN estop_replicas r`: its
 * replica's last heartbeat, or its record's last write if later (ISO-8601 text compares in order).
 */
const SEEN_AT = 'CASE WHEN r.seen_at > e.last_seen_at THEN r.seen_at ELSE e.last_seen_at END';

/**
 * The version an enforcer applied: its record's, or, when its record shows one (it applied any),
 * the version its replica's heartbeat vouches for if greater.
 */
const APPLIED = 'CASE WHEN e.version > 0 AND r.applied_version > e.version THEN r.applied_version ELSE e.version END';

/** The columns `list` answers otherwise than the record holds them, and how. */
const LISTED_AS = new Map([
  ['last_seen_at', SEEN_AT],
  ['version', APPLIED],
]);

/**
 * `SELECT` of `ENFORCER_COLUMNS`, `last_seen_at` and `version` as `list` sees them, from the
 * enforcers joined to their replicas' heartbeats (`e` and `r`); a query adds its WHERE and
 * `ORDER BY e.ordinal`.
 */
export const ENFORCER_SELECT = `SELECT ${ENFORCER_COLUMNS.split(', ')
  .map((column) => {
    const listed = LISTED_AS.get(column);
    return listed === undefined ? `e.${column}` : `${listed} AS ${column}`;
  })
  .join(', ')} FROM estop_enforcers e LEFT JOIN estop_replicas r ON r.id = e.replica`;

/** The heartbeat of a replica (its id, when, the version its enforcers applied), replacing the last. */
export function heartbeatSql(placeholders: [string, string, string]): string {
  return `INSERT INTO estop_replicas (id, seen_at, applied_version) VALUES (${placeholders.join(', ')})
    ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, applied_version = excluded.applied_version`;
}

/**
 * The condition, for `ENFORCER_SELECT`, that an enforcer was seen at or after `since` (its
 * dialect's placeholder, bound twice), in a form each column's index can serve.
 */
export function enforcerSeenSinceWhere(since: [string, string]): string {
  return `(e.last_seen_at >= ${since[0]} OR r.seen_at >= ${since[1]})`;
}

/** The condition, for `ENFORCER_SELECT`, that a record does not name the replica `replica` (a placeholder). */
export function enforcerNotHeldByWhere(replica: string): string {
  return `(e.replica IS NULL OR e.replica <> ${replica})`;
}

/**
 * `DELETE` of the records last seen before a time (its dialect's placeholder, bound twice): their
 * own last write is older and no heartbeat of their replica is as recent.
 */
export function removeEnforcersSeenBeforeSql(before: [string, string]): string {
  return `DELETE FROM estop_enforcers WHERE last_seen_at < ${before[0]} AND NOT EXISTS (
    SELECT 1 FROM estop_replicas r WHERE r.id = estop_enforcers.replica AND r.seen_at >= ${before[1]})`;
}

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
    record.replica ?? null,
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
    ...present('replica', row.replica),
  };
}
