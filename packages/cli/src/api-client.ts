import { createApiClient as createClient, type ApiClient, type ApiClientOptions } from '@estop/client';
import { resolveConnection } from './args.js';
import type { CommandIo } from './command.js';

export type { ApiClient, ApiClientOptions } from '@estop/client';
export { waitForEnforcement } from '@estop/client';

/** Where the CLI finds a token, said when the control plane refuses a request that carried none. */
const MISSING_TOKEN_HINT = 'no token was given: pass --token, set ESTOP_TOKEN, or run where .estop/admin-token exists';

/**
 * The CLI's client of the control plane: `@estop/client`'s, which on a refusal for want of a
 * token says where the CLI looks for one.
 *
 * @example
 * const client = createApiClient({ url: 'http://127.0.0.1:7070', token });
 * const { version, rules } = await client.listRules();
 */
export function createApiClient(options: Omit<ApiClientOptions, 'missingTokenHint'>): ApiClient {
  return createClient({ ...options, missingTokenHint: MISSING_TOKEN_HINT });
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
