import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { EstopError } from '@estop/core';
import { parseBreakGlass, type BreakGlassOverride } from './break-glass.js';

/**
 * Watches a break-glass file whose trimmed content is a mode, calling `onOverride` at once
 * with what it holds and again whenever it changes. A missing or empty file is no override;
 * an unreadable one is a `full_stop`.
 *
 * It polls the file's metadata (`fs.watchFile`) rather than subscribing to change events:
 * polling keeps working when the file is created later, deleted, or replaced by a rename,
 * which is how operators and configuration tools write files. The watcher does not keep the
 * process alive.
 *
 * @returns a function that stops watching.
 */
export function watchBreakGlassFile(
  path: string,
  intervalMs: number,
  onOverride: (override: BreakGlassOverride | undefined) => void,
  onError: (error: EstopError) => void,
): () => void {
  const read = (): void => onOverride(readOverride(path, onError));
  const listener = (current: Stats, previous: Stats): void => {
    if (
      current.mtimeMs !== previous.mtimeMs ||
      current.ino !== previous.ino ||
      current.size !== previous.size ||
      current.nlink !== previous.nlink
    ) {
      read();
    }
  };
  watchFile(path, { interval: intervalMs, persistent: false }, listener);
  read();
  return () => unwatchFile(path, listener);
}

function readOverride(path: string, onError: (error: EstopError) => void): BreakGlassOverride | undefined {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    onError(
      new EstopError({
        code: 'config_invalid',
        message: `cannot read the break-glass file ${path}; failing closed to full_stop`,
        cause: error,
        details: { path },
      }),
    );
    return { mode: 'full_stop', reason: `break-glass file ${path} is unreadable: full_stop` };
  }
  return parseBreakGlass(content, path, onError);
}
