// propagation.replica_10k: one control-plane process holding 10,000 enforcer streams (guards in
// two processes of their own): a stop through the API until every guard has acknowledged it
// (the control plane's own count, commit to last acknowledgement), the replica's memory per
// enforcer connected, and the rows it writes to the store's enforcer tables per second while its
// guards are connected and quiet (store_enforcer_writes_per_s). See propagation-run.ts.
import { measurePropagation } from './propagation-run.js';
import { atMost } from './stats.js';

export async function run(): Promise<Record<string, unknown>> {
  const figures = await measurePropagation({
    enforcers: Number(process.env.BENCH_REPLICA_ENFORCERS ?? 10_000),
    processes: 2,
    flips: Number(process.env.BENCH_REPLICA_FLIPS ?? 10),
  });
  return {
    ...figures,
    goals: { all_acknowledged_p99_ms: atMost(figures.all_acknowledged_p99_ms, 250, ' ms') },
  };
}
