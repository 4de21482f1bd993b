import { chmodSync, closeSync, openSync, statSync, type Stats } from 'node:fs';
import { EstopError } from '@estop/core';

/** What SQLite keeps beside a database file: the WAL and its index, and a rollback journal while migrating. */
const COMPANION_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

const OWNER_ONLY = 0o600;

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function refuse(path: string, problem: string, cause?: unknown): EstopError {
  return new EstopError({
    code: 'config_invalid',
    message:
      `the SQLite file "${path}" ${problem}; it holds token hashes, the audit and approval arguments, ` +
      `so it must be readable by its owner only: run estop as the user who owns it, or fix it with ` +
      `\`chmod 600 ${path}\``,
    cause,
  });
}

function narrow(path: string): void {
  const found = statOrUndefined(path);
  if (found === undefined) return;
  const uid = process.getuid?.();
  if (uid !== undefined && found.uid !== uid) throw refuse(path, `belongs to another user (uid ${found.uid})`);
  if ((found.mode & 0o777) === OWNER_ONLY) return;
  try {
    chmodSync(path, OWNER_ONLY);
  } catch (error) {
    throw refuse(path, `cannot be made mode 600 (${(error as NodeJS.ErrnoException).code ?? 'chmod failed'})`, error);
  }
  // Some file systems (FAT, some network mounts) accept chmod and ignore it.
  const mode = (statOrUndefined(path)?.mode ?? 0) & 0o777;
  if ((mode & 0o077) !== 0) throw refuse(path, `stays mode ${mode.toString(8)} on this file system`);
}

/**
 * Makes a database file and its companions (`-wal`, `-shm`, `-journal`) readable and writable by
 * their owner only, before SQLite opens them: a missing database file is created 0600, so SQLite
 * creates its companions with the same mode whatever the umask; files that already exist are
 * narrowed to 0600. Its directory must exist. Does nothing on Windows.
 *
 * @throws EstopError `config_invalid` when a file belongs to another user or cannot be made 0600.
 */
export function ownerOnlyDatabaseFiles(file: string): void {
  if (process.platform === 'win32') return;
  for (const path of [file, ...COMPANION_SUFFIXES.map((suffix) => `${file}${suffix}`)]) narrow(path);
  if (statOrUndefined(file) !== undefined) return;
  try {
    closeSync(openSync(file, 'a', OWNER_ONLY));
  } catch (error) {
    throw refuse(file, `cannot be created (${(error as NodeJS.ErrnoException).code ?? 'open failed'})`, error);
  }
}
