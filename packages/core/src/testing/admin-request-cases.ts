import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { AdminRequest, AdminResolution } from '../admin-request.js';
import { EMPTY_HEAD, chainEntries } from '../audit.js';
import { sha256Hex } from './sha256-hex.js';
import { OPERATOR, makeDraft, makeToken, minutesIn } from './store-fixtures.js';
import { estopErrorWith, footprint, type StoreTest } from './store-test.js';

const requested = makeDraft({ action: 'admin-requested', data: { requestId: 'ar1' } });
const confirmedEntry = makeDraft({ action: 'admin-confirmed', at: minutesIn(5), data: { requestId: 'ar1' } });

function makeRequest(id: string, overrides: Partial<AdminRequest> = {}): AdminRequest {
  return {
    id,
    token: makeToken(`t-${id}`, { role: 'admin', principalId: `p-${id}`, name: `admin ${id}` }),
    requestedBy: { ...OPERATOR, principalId: 'p_asker', tokenId: 't_asker' },
    reason: `a new admin via ${id}`,
    at: minutesIn(3),
    expiresAt: minutesIn(63),
    ...overrides,
  };
}

const confirmed: AdminResolution = {
  outcome: 'confirmed',
  actor: { id: 'second@example.com', kind: 'human', principalId: 'p_second', tokenId: 't_second' },
  reason: 'known colleague',
  at: minutesIn(5),
};

/** Cases for admin requests: stored with their audit entry; confirming one creates its token, once. */
export function describeAdminRequests(test: StoreTest): void {
  describe('an admin request is stored with its audit entry, and its token exists only once confirmed', () => {
    test('create returns the chained entry; get and list return the request as stored', async (store) => {
      const request = makeRequest('ar1');
      const entry = await store.adminRequests.create(request, requested);
      assert.deepEqual(entry, chainEntries(EMPTY_HEAD, [requested], sha256Hex)[0]);
      assert.deepEqual(await store.adminRequests.get('ar1'), { request });
      assert.equal(await store.adminRequests.get('missing'), undefined);
      assert.deepEqual(await store.adminRequests.list({ pending: true }), [{ request }]);
      assert.equal(await store.tokens.findByHash(request.token.hash), undefined);
      await assert.rejects(store.adminRequests.create(request, requested), estopErrorWith('conflict'));
    });

    test('confirming stores the token and the audit entry together, exactly once', async (store) => {
      const request = makeRequest('ar1');
      await store.adminRequests.create(request, requested);
      const head = await store.audit.head();
      assert.equal(await store.adminRequests.resolve('ar1', confirmed, confirmedEntry), true);
      assert.deepEqual(await store.tokens.findByHash(request.token.hash), request.token);
      assert.deepEqual(await store.adminRequests.get('ar1'), { request, resolution: confirmed });
      assert.deepEqual(await store.adminRequests.list({ pending: true }), []);
      assert.deepEqual(await store.audit.list({ afterSeq: head.seq }), chainEntries(head, [confirmedEntry], sha256Hex));
      const before = await footprint(store);
      assert.equal(await store.adminRequests.resolve('ar1', confirmed, confirmedEntry), false);
      assert.equal(await store.adminRequests.resolve('missing', confirmed, confirmedEntry), false);
      assert.deepEqual(await footprint(store), before);
    });

    test('an expired request creates no token', async (store) => {
      const request = makeRequest('ar1');
      await store.adminRequests.create(request, requested);
      const expired: AdminResolution = {
        outcome: 'expired',
        actor: { id: 'system', kind: 'system' },
        at: minutesIn(64),
      };
      assert.equal(
        await store.adminRequests.resolve('ar1', expired, makeDraft({ action: 'admin-expired', at: minutesIn(64) })),
        true,
      );
      assert.equal(await store.tokens.findByHash(request.token.hash), undefined);
      assert.deepEqual(await store.adminRequests.list(), [{ request, resolution: expired }]);
    });

    test('confirming a request whose token hash is taken throws conflict and writes nothing', async (store) => {
      const request = makeRequest('ar1');
      await store.adminRequests.create(request, requested);
      await store.tokens.create(
        makeToken('other', { hash: request.token.hash }),
        makeDraft({ action: 'token-created' }),
      );
      const before = await footprint(store);
      await assert.rejects(store.adminRequests.resolve('ar1', confirmed, confirmedEntry), estopErrorWith('conflict'));
      assert.deepEqual(await footprint(store), before);
      assert.deepEqual(await store.adminRequests.list({ pending: true }), [{ request }]);
    });
  });
}
