import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * The value at percentile `p` (0–100) of `samples`, by linear interpolation between the
 * nearest ranks. The samples need not be sorted; they are not modified.
 *
 * @example
 * percentile([5, 1, 3], 50); // 3
 */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const position = (Math.min(Math.max(p, 0), 100) / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  return low + ((sorted[upper] as number) - low) * (position - lower);
}

/** The middle value of `samples`. */
export function median(samples: ArrayLike<number>): number {
  return percentile(samples, 50);
}

/** A target for one figure: the bound it must stay within and whether it did. */
export interface Goal {
  readonly target: string;
  readonly met: boolean;
}

/** A goal that `value` stays at or below `max`; `unit` is only for display. */
export function atMost(value: number, max: number, unit = ''): Goal {
  return { target: `≤ ${max}${unit}`, met: value <= max };
}

/** A goal that `value` reaches at least `min`; `unit` is only for display. */
export function atLeast(value: number, min: number, unit = ''): Goal {
  return { target: `≥ ${min}${unit}`, met: value >= min };
}

/** Where and on what a benchmark ran, written beside the figures. */
export interface BenchMetadata {
  readonly node: string;
  readonly cpu_model: string;
  readonly cpu_count: number;
  readonly date: string;
}

/** Describes the machine and runtime the benchmarks are running on. */
export function benchMetadata(date: Date = new Date()): BenchMetadata {
  const processors = cpus();
  return {
    node: process.version,
    cpu_model: processors[0]?.model.trim() ?? 'unknown',
    cpu_count: processors.length,
    date: date.toISOString(),
  };
}

/**
 * Merges sections into the results file: other sections already there are kept, the named
 * ones replaced, and `metadata` set to describe this run. Each section keeps its own
 * metadata too, since sections in one file may come from different runs.
 */
export function writeResults(
  path: string | URL,
  sections: Readonly<Record<string, Record<string, unknown>>>,
  metadata: BenchMetadata = benchMetadata(),
): Record<string, unknown> {
  const existing: Record<string, unknown> = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)
    : {};
  const merged: Record<string, unknown> = { ...existing, metadata };
  for (const [name, figures] of Object.entries(sections)) merged[name] = { ...figures, metadata };
  writeFileSync(path, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

function display(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value.toLocaleString('en-US');
    return value.toLocaleString('en-US', { maximumSignificantDigits: 4 });
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Renders one section as a table of figures. A `goals` member (figure name → Goal) is not
 * printed as a row; its targets and verdicts are shown beside the figures they judge.
 */
export function formatSection(name: string, figures: Readonly<Record<string, unknown>>): string {
  const goals = (figures['goals'] ?? {}) as Record<string, Goal>;
  const rows = Object.entries(figures)
    .filter(([key]) => key !== 'goals' && key !== 'metadata')
    .map(([key, value]) => {
      const goal = goals[key];
      return [key, display(value), goal === undefined ? '' : `${goal.target}  ${goal.met ? 'met' : 'MISSED'}`];
    });
  // Numbers are right-aligned in one column; text (notes) runs on from where they start.
  const numeric = (key: string) => typeof figures[key] === 'number';
  const keyWidth = Math.max(...rows.map(([key]) => (key as string).length));
  const valueWidth = Math.max(
    ...rows.filter(([key]) => numeric(key as string)).map(([, value]) => (value as string).length),
  );
  const lines = rows.map(([key, value, goal]) => {
    const shown = numeric(key as string) ? (value as string).padStart(valueWidth) : (value as string);
    return `  ${(key as string).padEnd(keyWidth)}  ${shown}  ${goal}`.trimEnd();
  });
  return [`${name}`, ...lines].join('\n');
}
