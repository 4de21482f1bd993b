import { createApiClient as createClient, type ApiClient, type ApiClientOptions } from '@estop/client';
import { resolveConnection, type TokenSource } from './args.js';
import type { CommandIo } from './command.js';

export type { ApiClient, ApiClientOptions } from '@estop/client';
export { waitForEnforcement } from '@estop/client';

/** Where the CLI finds a token, said when the control plane refuses a request that carried none. */
const MISSING_TOKEN_HINT = 'no token was given: pass --token, set ESTOP_TOKEN, or run where .estop/admin-token exists';

/** What a refused token's error adds: where the token came from and how to use another. */
const REFUSED_TOKEN_HINTS: Readonly<Record<TokenSource, string>> = {
  '--token': 'the token came from --token; pass one with the role this needs',
  ESTOP_TOKEN:
    'the token came from ESTOP_TOKEN; pass --token to use another, or unset ESTOP_TOKEN to use ./.estop/admin-token',
  './.estop/admin-token': 'the token came from ./.estop/admin-token; pass --token or set ESTOP_TOKEN to use another',
};

/**
 * The CLI's client of the control plane: `@estop/client`'s, which on a refusal for want of a
 * token says where the CLI looks for one, and on a refused token says where that one came from.
 *
 * @example
 * const client = createApiClient({ url: 'http://127.0.0.1:7070', token });
 * const { version, rules } = await client.listRules();
 */
export function createApiClient(
  options: Omit<ApiClientOptions, 'missingTokenHint' | 'refusedTokenHint'> & { tokenSource?: TokenSource | undefined },
): ApiClient {
  const { tokenSource, ...rest } = options;
  return createClient({
    ...rest,
    missingTokenHint: MISSING_TOKEN_HINT,
    refusedTokenHint: tokenSource === undefined ? undefined : REFUSED_TOKEN_HINTS[tokenSource],
  });
}

/**
 * The client of the control plane that a command's `--url` and `--token` name, or failing them
 * the environment and `.estop/admin-token` (see resolveConnection).
 *
 * @example
 * const client = connectClient(values, io);
 */
export function connectClient(
  flags: { url?: string | undefined; token?: string | undefined },
  io: CommandIo,
): ApiClient {
  return createApiClient(resolveConnection(flags, io));
}
