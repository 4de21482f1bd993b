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
}

/** The columns `EnforcerRow` reads and `enforcerValues` writes, in order; `id` first. */
export const ENFORCER_COLUMNS = 'id, name, kind, host, pid, version, in_flight, last_seen_at, tenant';

/** `name = excluded.name, ...` for every column but `id`: what an upsert of an enforcer overwrites. */
export const ENFORCER_UPSERT_SET = ENFORCER_COLUMNS.split(', ')
  .slice(1)
  .map((column) => `${column} = excluded.${column}`)
  .join(', ');

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
