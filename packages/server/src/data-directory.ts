import type { Stats } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EstopError } from '@estop/core';

/** The file in the data directory that holds the admin token written at first start. */
export const ADMIN_TOKEN_FILE = 'admin-token';

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Why start is refused, what is at stake and what to do, in one message. */
function refusal(subject: string, problem: string, remedy: string, cause?: unknown): EstopError {
  return new EstopError({
    code: 'config_invalid',
    message:
      `${subject} ${problem}; estop keeps the admin token, token hashes and the audit there, readable ` +
      `by their owner only: ${remedy}, or choose a directory of your own with --data (or ESTOP_DATA)`,
    cause,
  });
}

/** Narrows `path` to `mode` unless it is already so; refuses what belongs to another user or keeps a wider mode. */
async function ownerOnly(path: string, found: Stats, mode: number, subject: string): Promise<void> {
  const uid = process.getuid?.();
  if (uid !== undefined && found.uid !== uid) {
    throw refusal(subject, `belongs to another user (uid ${found.uid})`, 'run estop as that user');
  }
  if ((found.mode & 0o777) === mode) return;
  const wanted = mode.toString(8);
  try {
    await chmod(path, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'chmod failed';
    throw refusal(subject, `cannot be made mode ${wanted} (${code})`, `run \`chmod ${wanted} ${path}\``, error);
  }
  // Some file systems (FAT, some network mounts) accept chmod and ignore it.
  const kept = ((await statOrUndefined(path))?.mode ?? 0) & 0o777;
  if ((kept & 0o077) !== 0) {
    throw refusal(subject, `stays mode ${kept.toString(8)} on this file system`, 'keep it on a local disk');
  }
}

/**
 * Makes the data directory readable by its owner only, at every start: created 0700 when missing,
 * narrowed to 0700 when it exists, and the admin-token file in it narrowed to 0600. (The SQLite
 * store narrows its own files when it opens them.) With `create: false` (PostgreSQL, where the
 * directory holds only the admin token) a missing directory is left missing. Does nothing on Windows.
 *
 * @throws EstopError `config_invalid`, saying what to do, when the directory or the admin-token
 * file belongs to another user, is not a directory, or cannot be narrowed.
 */
export async function secureDataDirectory(path: string, options: { create: boolean }): Promise<void> {
  if (process.platform === 'win32') return;
  const subject = `the data directory "${path}"`;
  if (!options.create && (await statOrUndefined(path)) === undefined) return;
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'mkdir failed';
    throw refusal(subject, `cannot be created (${code})`, 'create it yourself with `mkdir -m 700`', error);
  }
  const directory = await stat(path);
  if (!directory.isDirectory()) throw refusal(subject, 'is not a directory', 'remove or rename it');
  await ownerOnly(path, directory, 0o700, subject);
  const tokenFile = join(path, ADMIN_TOKEN_FILE);
  const token = await statOrUndefined(tokenFile);
  if (token !== undefined) await ownerOnly(tokenFile, token, 0o600, `the admin-token file "${tokenFile}"`);
}
