import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { EMPTY_HEAD, chainEntries } from '../audit.js';
import { sha256Hex } from './sha256-hex.js';
import { makeDraft, makeToken, minutesIn } from './store-fixtures.js';
import { estopErrorWith, footprint, type StoreTest } from './store-test.js';

const created = makeDraft({ action: 'token-created', data: { role: 'operator' } });
const revoked = makeDraft({ action: 'token-revoked', at: minutesIn(20) });

/** Cases for API tokens: stored with their audit entry, found by hash, revoked but still found. */
export function describeTokens(test: StoreTest): void {
  describe('a token is stored together with its audit entry', () => {
    test('create returns the chained entry; findByHash and list return the record', async (store) => {
      const bound = makeToken('t1');
      const unbound = makeToken('t2', { role: 'admin' });
      delete unbound.tenant;
      const entry = await store.tokens.create(bound, created);
      assert.deepEqual(entry, chainEntries(EMPTY_HEAD, [created], sha256Hex)[0]);
      assert.deepEqual(await store.audit.head(), { seq: 1, hash: entry.hash });
      await store.tokens.create(unbound, created);
      assert.deepEqual(await store.tokens.findByHash(bound.hash), bound);
      const found = await store.tokens.findByHash(unbound.hash);
      assert.deepEqual(found, unbound);
      assert.equal(found !== undefined && 'tenant' in found, false);
      assert.deepEqual(await store.tokens.list(), [bound, unbound]);
      assert.equal(await store.tokens.findByHash('unknown-hash'), undefined);
      assert.equal((await store.audit.list()).length, 2);
    });

    test('a token with an existing id or hash throws conflict and writes nothing', async (store) => {
      await store.tokens.create(makeToken('t1'), created);
      const before = await footprint(store);
      await assert.rejects(
        store.tokens.create(makeToken('t1', { hash: 'other' }), created),
        estopErrorWith('conflict'),
      );
      await assert.rejects(
        store.tokens.create(makeToken('t2', { hash: makeToken('t1').hash }), created),
        estopErrorWith('conflict'),
      );
      assert.deepEqual(await footprint(store), before);
    });
  });

  describe('a token keeps its principal and its agent binding', () => {
    test('principalId, agent and anyAgent round-trip; tokens of one principal share its id', async (store) => {
      const bound = makeToken('t1', { role: 'agent', agent: 'mailer', principalId: 'p_mailer' });
      const pool = makeToken('t2', { role: 'agent', anyAgent: true, principalId: 'p_pool' });
      const second = makeToken('t3', { role: 'agent', agent: 'mailer', principalId: 'p_mailer' });
      for (const token of [bound, pool, second]) await store.tokens.create(token, created);
      assert.deepEqual(await store.tokens.findByHash(bound.hash), bound);
      const found = await store.tokens.findByHash(pool.hash);
      assert.deepEqual(found, pool);
      assert.equal(found !== undefined && 'agent' in found, false);
      assert.deepEqual(
        (await store.tokens.list()).map((token) => token.principalId),
        ['p_mailer', 'p_pool', 'p_mailer'],
      );
    });
  });

  describe('a revoked token is still found, marked revoked', () => {
    test('revoke sets revokedAt to the time of its audit entry and appends that entry', async (store) => {
      const token = makeToken('t1');
      await store.tokens.create(token, created);
      const head = await store.audit.head();
      assert.equal(await store.tokens.revoke('t1', revoked), true);
      const marked = { ...token, revokedAt: revoked.at };
      assert.deepEqual(await store.tokens.findByHash(token.hash), marked);
      assert.deepEqual(await store.tokens.list(), [marked]);
      assert.deepEqual(await store.audit.list({ afterSeq: head.seq }), chainEntries(head, [revoked], sha256Hex));
    });
  });

  describe('revoking an unknown or revoked token changes nothing', () => {
    test('revoke returns false and appends nothing', async (store) => {
      await store.tokens.create(makeToken('t1'), created);
      await store.tokens.revoke('t1', revoked);
      const before = await footprint(store);
      assert.equal(await store.tokens.revoke('t1', makeDraft({ action: 'token-revoked', at: minutesIn(40) })), false);
      assert.equal(await store.tokens.revoke('missing', revoked), false);
      assert.deepEqual(await footprint(store), before);
    });
  });
}
