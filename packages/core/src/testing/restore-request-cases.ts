import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { EMPTY_HEAD, chainEntries } from '../audit.js';
import type { RestoreRequest, RestoreResolution } from '../restore-request.js';
import { sha256Hex } from './sha256-hex.js';
import { OPERATOR, makeDraft, minutesIn } from './store-fixtures.js';
import { estopErrorWith, footprint, type StoreTest } from './store-test.js';

const requested = makeDraft({ action: 'restore-requested', ruleId: 'r1' });

function makeRequest(id: string, overrides: Partial<RestoreRequest> = {}): RestoreRequest {
  return {
    id,
    ruleId: 'r1',
    scope: {},
    mode: 'full_stop',
    requestedBy: OPERATOR,
    reason: `restore via ${id}`,
    at: minutesIn(3),
    ...overrides,
  };
}

const confirmed: RestoreResolution = {
  outcome: 'confirmed',
  actor: { id: 'second@example.com', kind: 'human' },
  reason: 'checked',
  at: minutesIn(4),
};

/** Cases for restore requests: stored with their audit entry, listed, resolved exactly once. */
export function describeRestoreRequests(test: StoreTest): void {
  describe('a restore request is stored with its audit entry and resolved once', () => {
    test('create returns the chained entry; get and list return the request as stored', async (store) => {
      const lift = makeRequest('rq1');
      const staged = makeRequest('rq2', { ruleId: 'r2', scope: { tenant: 'acme' }, to: 'read_only' });
      const entry = await store.restoreRequests.create(lift, requested);
      assert.deepEqual(entry, chainEntries(EMPTY_HEAD, [requested], sha256Hex)[0]);
      await store.restoreRequests.create(staged, requested);
      const found = await store.restoreRequests.get('rq1');
      assert.deepEqual(found, { request: lift });
      assert.equal(found !== undefined && ('resolution' in found || 'to' in found.request), false);
      assert.deepEqual(await store.restoreRequests.get('rq2'), { request: staged });
      assert.equal(await store.restoreRequests.get('missing'), undefined);
      assert.deepEqual(await store.restoreRequests.list(), [{ request: lift }, { request: staged }]);
      assert.equal((await store.audit.list()).length, 2);
    });

    test('a request with an existing id throws conflict and writes nothing', async (store) => {
      await store.restoreRequests.create(makeRequest('rq1'), requested);
      const before = await footprint(store);
      await assert.rejects(
        store.restoreRequests.create(makeRequest('rq1', { reason: 'again' }), requested),
        estopErrorWith('conflict'),
      );
      assert.deepEqual(await footprint(store), before);
      assert.deepEqual(await store.restoreRequests.list(), [{ request: makeRequest('rq1') }]);
    });

    test('resolve records the outcome once; pending lists only unresolved requests', async (store) => {
      await store.restoreRequests.create(makeRequest('rq1'), requested);
      await store.restoreRequests.create(makeRequest('rq2'), requested);
      assert.equal(await store.restoreRequests.resolve('rq1', confirmed), true);
      assert.equal(
        await store.restoreRequests.resolve('rq1', { ...confirmed, outcome: 'voided', reason: 'late' }),
        false,
      );
      assert.equal(await store.restoreRequests.resolve('missing', confirmed), false);
      assert.deepEqual(await store.restoreRequests.get('rq1'), { request: makeRequest('rq1'), resolution: confirmed });
      assert.deepEqual(await store.restoreRequests.list({ pending: true }), [{ request: makeRequest('rq2') }]);
      assert.equal((await store.restoreRequests.list()).length, 2);
    });
  });
}
