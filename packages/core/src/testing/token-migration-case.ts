import assert from 'node:assert/strict';
import type { Store } from '../ports/store.js';
import { BOOTSTRAP_PRINCIPAL_ID } from '../token.js';

const AT = '2026-03-01T09:00:00.000Z';

/** The columns of `estop_tokens` as schema step 4 left them, before principals and agent bindings. */
export const TOKEN_COLUMNS_BEFORE_PRINCIPALS = 'id, name, role, tenant, hash, created_at, created_by';

/**
 * Tokens as a database at schema step 4 holds them, values in `TOKEN_COLUMNS_BEFORE_PRINCIPALS`
 * order: the bootstrap admin, an operator, and an agent token from before bindings.
 */
export const TOKENS_BEFORE_PRINCIPALS: readonly (readonly (string | null)[])[] = [
  ['t_boot', 'bootstrap-admin', 'admin', null, 'h1', AT, 'system'],
  ['t_ops', 'oncall', 'operator', 'acme', 'h2', AT, 'bootstrap-admin'],
  ['t_agent', 'mailer', 'agent', 'acme', 'h3', AT, 'bootstrap-admin'],
];

/**
 * Migrates `store`, opened on a database at step 4 that holds `TOKENS_BEFORE_PRINCIPALS`, and checks
 * that each token became its own principal, the bootstrap admin `p_bootstrap`, and the agent token
 * bound to its name; then closes the store. Every SQL store's migration test runs it.
 */
export async function expectTokensMigratedToPrincipals(store: Store): Promise<void> {
  try {
    await store.migrate();
    const tokens = await store.tokens.list();
    assert.deepEqual(
      tokens.map((token) => [token.id, token.principalId, token.agent, token.anyAgent]),
      [
        ['t_boot', BOOTSTRAP_PRINCIPAL_ID, undefined, undefined],
        ['t_ops', 'p_t_ops', undefined, undefined],
        ['t_agent', 'p_t_agent', 'mailer', undefined],
      ],
    );
  } finally {
    await store.close();
  }
}
