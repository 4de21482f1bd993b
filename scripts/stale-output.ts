import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time (ms) of a file, or of any file under a directory; 0 when absent. */
export function newestModification(path: string): number {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return 0;
    throw error;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestModification(join(path, entry)));
  }
  return newest;
}

/**
 * True when `output` must be built again: it does not exist, or a file among `sources` (files
 * or directories, searched whole) changed after it was written.
 *
 * @example
 * if (isOutputStale({ output: 'packages/dashboard/dist/index.html', sources: ['packages/dashboard/src'] })) build();
 */
export function isOutputStale(options: { output: string; sources: readonly string[] }): boolean {
  const written = newestModification(options.output);
  if (written === 0) return true;
  return options.sources.some((source) => newestModification(source) > written);
}
