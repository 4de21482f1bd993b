// propagation: 1,000 guards in two processes on one control plane; see propagation-run.ts.
import { measurePropagation } from './propagation-run.js';
import { atMost } from './stats.js';

export async function run(): Promise<Record<string, unknown>> {
  const figures = await measurePropagation({
    enforcers: 1000,
    processes: 2,
    flips: Number(process.env.BENCH_FLIPS ?? 20),
  });
  return {
    ...figures,
    goals: { p50_ms: atMost(figures.p50_ms, 20, ' ms'), p99_ms: atMost(figures.p99_ms, 100, ' ms') },
  };
}
