// Runs the benchmarks in sequence and merges their figures into bench/results.json.
//
//   npm run bench                 every benchmark
//   npm run bench -- decision     only those named
import { benchMetadata, formatSection, writeResults } from './stats.js';

/** A benchmark module: `run` measures and returns its figures (and optionally `goals`). */
export interface BenchModule {
  run(): Promise<Record<string, unknown>>;
}

interface Benchmark {
  readonly name: string;
  readonly load: () => Promise<BenchModule>;
}

// To add a benchmark, write bench/<name>.bench.ts exporting `run` and list it here.
const BENCHMARKS: readonly Benchmark[] = [
  { name: 'decision', load: () => import('./decision.bench.js') },
  { name: 'propagation', load: () => import('./propagation.bench.js') },
  { name: 'propagation.replica_10k', load: () => import('./propagation-replica.bench.js') },
  { name: 'audit', load: () => import('./audit.bench.js') },
  { name: 'runs', load: () => import('./runs.bench.js') },
  { name: 'gateway.http', load: () => import('./gateway-http.bench.js') },
  { name: 'gateway.http_writes', load: () => import('./gateway-http-writes.bench.js') },
  { name: 'gateway.mcp', load: () => import('./gateway-mcp.bench.js') },
  { name: 'idempotency', load: () => import('./idempotency.bench.js') },
  { name: 'sentinel', load: () => import('./sentinel.bench.js') },
  { name: 'notify', load: () => import('./notify.bench.js') },
];

const RESULTS = new URL('./results.json', import.meta.url);

async function main(names: readonly string[]): Promise<number> {
  const unknown = names.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = BENCHMARKS.filter((benchmark) => names.length === 0 || names.includes(benchmark.name));
  const metadata = benchMetadata();
  console.log(`node ${metadata.node}, ${metadata.cpu_count} × ${metadata.cpu_model}\n`);
  const sections: Record<string, Record<string, unknown>> = {};
  for (const benchmark of selected) {
    const module = await benchmark.load();
    const figures = await module.run();
    sections[benchmark.name] = figures;
    console.log(`${formatSection(benchmark.name, figures)}\n`);
  }
  writeResults(RESULTS, sections, metadata);
  console.log(`wrote ${RESULTS.pathname}`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
