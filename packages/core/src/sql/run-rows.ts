import type { SharedRun } from '../ports/run-store.js';
import type { RunRecord } from '../run-schemas.js';

/** A row of `estop_runs` as a driver returns it (a 64-bit number may come back as text). */
export interface RunRow {
  id: string;
  record: string;
  heartbeat_ms: number | string;
  heard_at: string;
}

/** The columns `RunRow` reads and `runValues` writes, in order; `id` first. */
export const RUN_COLUMNS = 'id, record, heartbeat_ms, heard_at';

/** The values, in `RUN_COLUMNS` order, that store a run. */
export function runValues(run: SharedRun): unknown[] {
  return [run.record.id, JSON.stringify(run.record), run.heartbeatMs, run.heardAt];
}

/** The run a row holds. */
export function runFromRow(row: RunRow): SharedRun {
  return { record: JSON.parse(row.record) as RunRecord, heartbeatMs: Number(row.heartbeat_ms), heardAt: row.heard_at };
}
