import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BOOTSTRAP_PRINCIPAL_ID, SYSTEM_ACTOR, type Clock, type Store } from '@estop/core';
import { ADMIN_TOKEN_FILE } from '../data-directory.js';
import { generateTokenSecret, randomId, sha256Hex } from './token-secret.js';

/**
 * Makes sure someone can administer a new installation. With ESTOP_ADMIN_TOKEN set that token
 * is the admin; otherwise, when no admin token exists yet, one is created and written to
 * `<data>/admin-token` (mode 0600). The secret is never logged; only the file's path is returned.
 */
export async function bootstrapAdmin(options: {
  store: Pick<Store, 'tokens'>;
  data: string;
  clock: Clock;
  adminToken?: string | undefined;
}): Promise<{ createdFile?: string }> {
  if (options.adminToken !== undefined) return {};
  const tokens = await options.store.tokens.list();
  if (tokens.some((token) => token.role === 'admin' && token.revokedAt === undefined)) return {};
  const secret = generateTokenSecret();
  const at = new Date(options.clock.now()).toISOString();
  const file = join(options.data, ADMIN_TOKEN_FILE);
  await mkdir(options.data, { recursive: true, mode: 0o700 });
  // A stale file keeps its mode when written over: replace it with a new one, created 0600.
  await rm(file, { force: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  const id = randomId('t');
  await options.store.tokens.create(
    {
      id,
      name: 'bootstrap-admin',
      // The same principal as the environment's admin token: one administrator, however it signs in.
      principalId: BOOTSTRAP_PRINCIPAL_ID,
      role: 'admin',
      hash: sha256Hex(secret),
      createdAt: at,
      createdBy: 'system',
    },
    {
      at,
      action: 'token-created',
      actor: SYSTEM_ACTOR,
      data: { tokenId: id, name: 'bootstrap-admin', role: 'admin', principalId: BOOTSTRAP_PRINCIPAL_ID },
    },
  );
  return { createdFile: file };
}
