import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TokenRecord, TokenStore } from '@estop/core';
import { createAuthenticator } from './authenticator.js';
import { sha256Hex } from './token-secret.js';

const SECRET = 'estop_reader';
const RECORD: TokenRecord = {
  id: 'tok_1',
  name: 'reader',
  principalId: 'p_reader',
  role: 'enforcer',
  hash: sha256Hex(SECRET),
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'admin',
};

/** A token store whose reads wait until released, counting them. */
function slowTokens(): { tokens: TokenStore; reads: () => number; release: (record?: TokenRecord) => void } {
  let reads = 0;
  const waiting: Array<(record: TokenRecord | undefined) => void> = [];
  const tokens = {
    findByHash: () => {
      reads += 1;
      return new Promise<TokenRecord | undefined>((resolve) => waiting.push(resolve));
    },
  } as unknown as TokenStore;
  return {
    tokens,
    reads: () => reads,
    release: (record = RECORD) => {
      for (const resolve of waiting.splice(0)) resolve(record);
    },
  };
}

describe('requests with one token share its lookup in the store', () => {
  it('reads the store once for many requests that arrive while the lookup is under way', async () => {
    const store = slowTokens();
    const authenticator = createAuthenticator({ tokens: store.tokens, clock: { now: () => 0 } });
    const pending = Array.from({ length: 100 }, () => authenticator.authenticate(`Bearer ${SECRET}`));
    store.release();
    const principals = await Promise.all(pending);
    assert.equal(store.reads(), 1);
    assert.ok(principals.every((principal) => principal.id === 'tok_1'));
  });

  it('does not keep what a lookup under way at a revocation read: the next request reads again', async () => {
    const store = slowTokens();
    const authenticator = createAuthenticator({ tokens: store.tokens, clock: { now: () => 0 } });
    const before = authenticator.authenticate(`Bearer ${SECRET}`);
    authenticator.forget('tok_1');
    store.release();
    await before;
    const after = authenticator.authenticate(`Bearer ${SECRET}`);
    assert.equal(store.reads(), 2);
    store.release({ ...RECORD, revokedAt: '2026-01-01T00:00:01.000Z' });
    await assert.rejects(after, /unknown or revoked token/);
  });
});
