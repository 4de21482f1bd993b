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

  describe("a replica's heartbeat vouches for the enforcers whose streams it holds", () => {
    const at = (seconds: number) => new Date(Date.parse('2030-01-01T00:00:00.000Z') + seconds * 1000).toISOString();

    test("a record naming a replica is seen as late as that replica's heartbeat, or its own write if later", async (store) => {
      const held = makeEnforcer('sdk_held', { replica: 'replica-a', lastSeenAt: at(0) });
      const early = makeEnforcer('sdk_early', { replica: 'replica-a', lastSeenAt: at(20) });
      const unheard = makeEnforcer('sdk_unheard', { replica: 'replica-b', lastSeenAt: at(1) });
      const loose = makeEnforcer('sdk_loose', { lastSeenAt: at(2) });
      await store.enforcers.upsert([held, early, unheard, loose]);
      await store.enforcers.heartbeat('replica-a', at(10));
      assert.deepEqual(await store.enforcers.list(), [{ ...held, lastSeenAt: at(10) }, early, unheard, loose]);
      await store.enforcers.heartbeat('replica-a', at(30));
      assert.deepEqual(await store.enforcers.list({ seenSince: at(25) }), [
        { ...held, lastSeenAt: at(30) },
        { ...early, lastSeenAt: at(30) },
      ]);
    });

    test('list with notHeldBy leaves out the records naming that replica', async (store) => {
      const here = makeEnforcer('sdk_here', { replica: 'replica-a', lastSeenAt: at(10) });
      const there = makeEnforcer('sdk_there', { replica: 'replica-b', lastSeenAt: at(10) });
      const loose = makeEnforcer('sdk_loose', { lastSeenAt: at(10) });
      await store.enforcers.upsert([here, there, loose]);
      assert.deepEqual(await store.enforcers.list({ seenSince: at(5), notHeldBy: 'replica-a' }), [there, loose]);
      assert.deepEqual(await store.enforcers.list({ notHeldBy: 'replica-b' }), [here, loose]);
      assert.deepEqual(await store.enforcers.list({ seenSince: at(5), notHeldBy: 'replica-c' }), [here, there, loose]);
    });

    test("a dead replica's enforcers stop being seen once its heartbeat is old; a live one's go on", async (store) => {
      await store.enforcers.upsert([
        makeEnforcer('sdk_on_dead', { replica: 'replica-dead', lastSeenAt: at(0) }),
        makeEnforcer('sdk_on_live', { replica: 'replica-live', lastSeenAt: at(0) }),
      ]);
      for (let second = 1; second <= 10; second += 1) {
        if (second <= 3) await store.enforcers.heartbeat('replica-dead', at(second));
        await store.enforcers.heartbeat('replica-live', at(second));
      }
      const live = await store.enforcers.list({ seenSince: at(10 - 5) });
      assert.deepEqual(
        live.map((record) => [record.id, record.replica, record.lastSeenAt]),
        [['sdk_on_live', 'replica-live', at(10)]],
      );
      assert.deepEqual(
        (await store.enforcers.list({ seenSince: at(3) })).map((record) => record.id),
        ['sdk_on_dead', 'sdk_on_live'],
      );
    });

    test("the sweep deletes a dead replica's enforcers and heartbeat, never those of a live replica", async (store) => {
      const onLive = makeEnforcer('sdk_on_live', { replica: 'replica-live', lastSeenAt: at(0) });
      const recent = makeEnforcer('sdk_recent', { lastSeenAt: at(100) });
      await store.enforcers.upsert([
        makeEnforcer('sdk_on_dead', { replica: 'replica-dead', lastSeenAt: at(0) }),
        onLive,
        makeEnforcer('sdk_departed', { lastSeenAt: at(1) }),
        recent,
      ]);
      await store.enforcers.heartbeat('replica-dead', at(5));
      await store.enforcers.heartbeat('replica-live', at(200));
      assert.equal(await store.enforcers.removeSeenBefore(at(50)), 2);
      assert.deepEqual(await store.enforcers.list(), [{ ...onLive, lastSeenAt: at(200) }, recent]);
      // The dead replica's heartbeat went too: a record naming it now is seen at its own write only.
      const late = makeEnforcer('sdk_late', { replica: 'replica-dead', lastSeenAt: at(2) });
      await store.enforcers.upsert([late]);
      assert.deepEqual((await store.enforcers.list()).at(-1), late);
      assert.equal(await store.enforcers.removeSeenBefore(at(50)), 1);
    });

    test("a heartbeat vouches for the version its replica's enforcers applied; a record's own counts if greater, one showing none stays at 0", async (store) => {
      const behind = makeEnforcer('sdk_behind', { replica: 'replica-a', version: 3, lastSeenAt: at(0) });
      const ahead = makeEnforcer('sdk_ahead', { replica: 'replica-a', version: 9, lastSeenAt: at(0) });
      const elsewhere = makeEnforcer('sdk_elsewhere', { replica: 'replica-b', version: 2, lastSeenAt: at(0) });
      const loose = makeEnforcer('sdk_loose', { version: 1, lastSeenAt: at(0) });
      const fresh = makeEnforcer('sdk_fresh', { replica: 'replica-a', version: 0, lastSeenAt: at(0) });
      await store.enforcers.upsert([behind, ahead, elsewhere, loose, fresh]);
      await store.enforcers.heartbeat('replica-a', at(10), 7);
      await store.enforcers.heartbeat('replica-b', at(10));
      assert.deepEqual(
        (await store.enforcers.list()).map((record) => [record.id, record.version]),
        [
          ['sdk_behind', 7],
          ['sdk_ahead', 9],
          ['sdk_elsewhere', 2],
          ['sdk_loose', 1],
          ['sdk_fresh', 0],
        ],
      );
      assert.deepEqual(
        (await store.enforcers.list({ seenSince: at(5), notHeldBy: 'replica-b' })).map((record) => record.version),
        [7, 9, 0],
      );
      // The next heartbeat replaces what the last vouched for; the record was never rewritten.
      await store.enforcers.heartbeat('replica-a', at(11), 0);
      assert.equal((await store.enforcers.list())[0]?.version, 3);
    });

    test('a heartbeat replaces the previous one of its replica', async (store) => {
      const record = makeEnforcer('sdk_1', { replica: 'replica-a', lastSeenAt: at(0) });
      await store.enforcers.upsert([record]);
      await store.enforcers.heartbeat('replica-a', at(10));
      await store.enforcers.heartbeat('replica-a', at(11));
      assert.deepEqual(await store.enforcers.list(), [{ ...record, lastSeenAt: at(11) }]);
    });

    test('a replica whose stream closed does not clear a record another replica holds now', async (store) => {
      const heldByB = makeEnforcer('sdk_moved', { replica: 'replica-b', version: 7, lastSeenAt: at(10) });
      const heldByA = makeEnforcer('sdk_staying', { replica: 'replica-a', lastSeenAt: at(10) });
      await store.enforcers.upsert([heldByB, heldByA], 'replica-b');
      // Replica A saw both streams close: only the one it still held is cleared.
      const closedOnA = [
        makeEnforcer('sdk_moved', { version: 5, lastSeenAt: at(11) }),
        makeEnforcer('sdk_staying', { lastSeenAt: at(11) }),
        makeEnforcer('sdk_new', { lastSeenAt: at(11) }),
      ];
      await store.enforcers.upsert(closedOnA, 'replica-a');
      assert.deepEqual(await store.enforcers.list(), [heldByB, closedOnA[1], closedOnA[2]]);
      // The replica holding it, or a write naming a replica, or one by no replica, replaces it.
      const cleared = makeEnforcer('sdk_moved', { version: 7, lastSeenAt: at(12) });
      await store.enforcers.upsert([cleared], 'replica-b');
      assert.deepEqual((await store.enforcers.list())[0], cleared);
      const claimed = makeEnforcer('sdk_moved', { replica: 'replica-c', lastSeenAt: at(13) });
      await store.enforcers.upsert([claimed], 'replica-c');
      assert.deepEqual((await store.enforcers.list())[0], claimed);
      const rewritten = makeEnforcer('sdk_moved', { lastSeenAt: at(14) });
      await store.enforcers.upsert([rewritten]);
      assert.deepEqual((await store.enforcers.list())[0], rewritten);
    });
  });
}
