import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { makeEnforcer, minutesIn } from './store-fixtures.js';
import type { StoreTest } from './store-test.js';

/** Cases for enforcer records. */
export function describeEnforcers(test: StoreTest): void {
  describe('an enforcer upsert inserts, then replaces the whole record', () => {
    test('list returns enforcers in order of first registration, each as last written', async (store) => {
      const first = makeEnforcer('sdk_1');
      const second = makeEnforcer('gw_1', { kind: 'gateway', version: 0, inFlight: 0 });
      await store.enforcers.upsert([first]);
      await store.enforcers.upsert([second]);
      assert.deepEqual(await store.enforcers.list(), [first, second]);
      const replaced = makeEnforcer('sdk_1', { name: 'renamed', version: 9, inFlight: 0, lastSeenAt: minutesIn(30) });
      delete replaced.host;
      delete replaced.pid;
      await store.enforcers.upsert([replaced]);
      const listed = await store.enforcers.list();
      assert.deepEqual(listed, [replaced, second]);
      assert.equal(listed[0] !== undefined && ('host' in listed[0] || 'pid' in listed[0]), false);
    });
    test("a tenant-bound enforcer's tenant is kept; an unbound one has none", async (store) => {
      const bound = makeEnforcer('sdk_acme', { tenant: 'acme' });
      const unbound = makeEnforcer('sdk_fleet');
      await store.enforcers.upsert([bound, unbound]);
      const listed = await store.enforcers.list();
      assert.deepEqual(listed, [bound, unbound]);
      assert.equal(listed[1] !== undefined && 'tenant' in listed[1], false);
    });
    test('list with seenSince returns only the enforcers seen since then', async (store) => {
      const old = makeEnforcer('sdk_old', { lastSeenAt: '2030-01-01T00:00:00.000Z' });
      const recent = makeEnforcer('sdk_recent', { lastSeenAt: '2030-01-01T00:00:10.000Z' });
      await store.enforcers.upsert([old, recent]);
      assert.deepEqual(await store.enforcers.list({ seenSince: '2030-01-01T00:00:05.000Z' }), [recent]);
      assert.deepEqual(await store.enforcers.list({ seenSince: '2030-01-01T00:00:10.000Z' }), [recent]);
      assert.equal((await store.enforcers.list()).length, 2);
    });
    test('a batch is saved whole, the last record of an id winning', async (store) => {
      const batch = Array.from({ length: 300 }, (_, index) => makeEnforcer(`sdk_${index}`, { version: index }));
      const again = makeEnforcer('sdk_7', { version: 1000 });
      await store.enforcers.upsert([...batch, again]);
      const listed = await store.enforcers.list();
      assert.equal(listed.length, 300);
      assert.deepEqual(listed[7], again);
      await store.enforcers.upsert([]);
      assert.equal((await store.enforcers.list()).length, 300);
    });
  });

  describe('departed enforcers leave the store', () => {
    test('remove deletes the records named, passing over ids with none', async (store) => {
      const kept = makeEnforcer('sdk_kept');
      await store.enforcers.upsert([makeEnforcer('sdk_gone'), kept, makeEnforcer('gw_gone', { kind: 'gateway' })]);
      await store.enforcers.remove(['sdk_gone', 'gw_gone', 'sdk_never']);
      assert.deepEqual(await store.enforcers.list(), [kept]);
      await store.enforcers.remove([]);
      assert.deepEqual(await store.enforcers.list(), [kept]);
    });
    test('a removed enforcer that registers again is stored anew', async (store) => {
      await store.enforcers.upsert([makeEnforcer('sdk_back'), makeEnforcer('sdk_other')]);
      await store.enforcers.remove(['sdk_back']);
      const again = makeEnforcer('sdk_back', { version: 4 });
      await store.enforcers.upsert([again]);
      assert.deepEqual(
        (await store.enforcers.list()).find((record) => record.id === 'sdk_back'),
        again,
      );
      assert.equal((await store.enforcers.list()).length, 2);
    });
    test('removeSeenBefore deletes only the records last seen strictly before, and says how many', async (store) => {
      const old = makeEnforcer('sdk_old', { lastSeenAt: '2030-01-01T00:00:00.000Z' });
      const older = makeEnforcer('sdk_older', { lastSeenAt: '2029-12-31T23:59:59.999Z' });
      const edge = makeEnforcer('sdk_edge', { lastSeenAt: '2030-01-01T00:00:05.000Z' });
      const recent = makeEnforcer('sdk_recent', { lastSeenAt: '2030-01-01T00:00:10.000Z' });
      await store.enforcers.upsert([old, edge, recent, older]);
      assert.equal(await store.enforcers.removeSeenBefore('2030-01-01T00:00:05.000Z'), 2);
      assert.deepEqual(await store.enforcers.list(), [edge, recent]);
      assert.equal(await store.enforcers.removeSeenBefore('2030-01-01T00:00:05.000Z'), 0);
      assert.deepEqual(await store.enforcers.list(), [edge, recent]);
    });
    test('removing many departed enforcers at once leaves none behind', async (store) => {
      const departed = Array.from({ length: 500 }, (_, index) =>
        makeEnforcer(`sdk_departed_${index}`, { lastSeenAt: '2030-01-01T00:00:00.000Z' }),
      );
      const live = makeEnforcer('sdk_live', { lastSeenAt: '2030-01-01T01:00:00.000Z' });
      await store.enforcers.upsert([...departed, live]);
      assert.equal(await store.enforcers.removeSeenBefore('2030-01-01T00:30:00.000Z'), 500);
      assert.deepEqual(await store.enforcers.list(), [live]);
    });
  });
}
