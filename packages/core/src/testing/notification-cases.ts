import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { NewDelivery } from '../notification.js';
import { creating, makeDraft, makeRule, minutesIn } from './store-fixtures.js';
import type { StoreTest } from './store-test.js';

const NOW = 1_000_000;
const LEASE = NOW + 30_000;

function delivery(id: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id,
    receiver: 'hooks',
    event: 'rule-created',
    seq: 1,
    body: `{"id":"${id}"}`,
    createdAt: minutesIn(1),
    ...overrides,
  };
}

/** Cases for the notification outbox: cursors over the audit log, queued and leased deliveries. */
export function describeNotifications(test: StoreTest): void {
  describe('the notification outbox queues each delivery once and leases it to one caller', () => {
    test('a new receiver starts at the audit head, and its cursor never moves back', async (store) => {
      await store.rules.commit(creating(makeRule('before')));
      const head = await store.audit.head();
      assert.equal(await store.notifications.cursor('hooks'), head.seq);
      await store.notifications.enqueue({
        receiver: 'hooks',
        deliveries: [],
        throughSeq: head.seq + 5,
        nowMs: NOW,
        leaseUntilMs: LEASE,
      });
      await store.notifications.enqueue({
        receiver: 'hooks',
        deliveries: [],
        throughSeq: head.seq + 2,
        nowMs: NOW,
        leaseUntilMs: LEASE,
      });
      assert.equal(await store.notifications.cursor('hooks'), head.seq + 5);
      assert.equal(await store.notifications.cursor('other'), head.seq);
    });

    test('a delivery is queued once by id, leased to the caller that queued it, with its body as given', async (store) => {
      const first = await store.notifications.enqueue({
        receiver: 'hooks',
        deliveries: [delivery('d1'), delivery('d2', { seq: undefined, event: 'test' })],
        throughSeq: 1,
        nowMs: NOW,
        leaseUntilMs: LEASE,
      });
      assert.deepEqual(
        first.map((queued) => [queued.id, queued.status, queued.attempts, queued.body, queued.seq]),
        [
          ['d1', 'pending', 0, '{"id":"d1"}', 1],
          ['d2', 'pending', 0, '{"id":"d2"}', undefined],
        ],
      );
      const again = await store.notifications.enqueue({
        receiver: 'hooks',
        deliveries: [delivery('d1'), delivery('d3')],
        nowMs: NOW,
        leaseUntilMs: LEASE,
      });
      assert.deepEqual(
        again.map((queued) => queued.id),
        ['d3'],
      );
      assert.deepEqual(
        await store.notifications.claim({ receivers: ['hooks'], nowMs: NOW + 1, leaseUntilMs: LEASE, limit: 10 }),
        [],
      );
      const later = await store.notifications.claim({
        receivers: ['hooks'],
        nowMs: LEASE,
        leaseUntilMs: LEASE + 30_000,
        limit: 10,
      });
      assert.deepEqual(later.map((queued) => queued.id).sort(), ['d1', 'd2', 'd3']);
    });

    test('an attempt that failed waits for its next attempt; a delivered or failed one is never claimed again', async (store) => {
      await store.notifications.enqueue({
        receiver: 'hooks',
        deliveries: [delivery('retry'), delivery('done'), delivery('dead')],
        nowMs: NOW,
        leaseUntilMs: NOW,
      });
      assert.equal(
        await store.notifications.settle('retry', { status: 'pending', nextAttemptMs: NOW + 5000, error: 'HTTP 503' }),
        true,
      );
      assert.equal(await store.notifications.settle('done', { status: 'delivered', at: minutesIn(2) }), true);
      assert.equal(await store.notifications.settle('dead', { status: 'failed', error: 'HTTP 410' }), true);
      assert.equal(await store.notifications.settle('nobody', { status: 'failed', error: 'x' }), false);
      const claim = (nowMs: number) =>
        store.notifications.claim({ receivers: ['hooks'], nowMs, leaseUntilMs: nowMs + 30_000, limit: 10 });
      assert.deepEqual(await claim(NOW + 4999), []);
      const due = await claim(NOW + 5000);
      assert.deepEqual(
        due.map((queued) => [queued.id, queued.attempts, queued.lastError]),
        [['retry', 1, 'HTTP 503']],
      );
      const [done] = await store.notifications.list({ status: 'delivered' });
      assert.equal(done?.id, 'done');
      assert.equal(done?.deliveredAt, minutesIn(2));
      assert.equal(done?.attempts, 1);
    });

    test('deliveries go only to callers that know their receiver', async (store) => {
      await store.notifications.enqueue({
        receiver: 'hooks',
        deliveries: [delivery('a'), delivery('b', { receiver: 'slack' })],
        nowMs: NOW,
        leaseUntilMs: NOW,
      });
      const claimed = await store.notifications.claim({
        receivers: ['slack'],
        nowMs: NOW,
        leaseUntilMs: LEASE,
        limit: 10,
      });
      assert.deepEqual(
        claimed.map((queued) => queued.id),
        ['b'],
      );
      assert.deepEqual(
        await store.notifications.claim({ receivers: [], nowMs: NOW, leaseUntilMs: LEASE, limit: 10 }),
        [],
      );
    });

    test('of callers claiming at once, each due delivery goes to exactly one', async (store) => {
      const ids = Array.from({ length: 20 }, (_, index) => `d${index}`);
      await store.notifications.enqueue({
        receiver: 'hooks',
        deliveries: ids.map((id) => delivery(id)),
        nowMs: NOW,
        leaseUntilMs: NOW,
      });
      const claims = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.notifications.claim({ receivers: ['hooks'], nowMs: NOW, leaseUntilMs: LEASE, limit: 8 }),
        ),
      );
      const claimed = claims.flat().map((queued) => queued.id);
      assert.equal(new Set(claimed).size, claimed.length, 'no delivery was claimed twice');
      assert.deepEqual([...claimed].sort(), [...ids].sort());
    });

    test('list is newest first; summary counts each receiver by status, with its cursor', async (store) => {
      await store.notifications.cursor('hooks');
      await store.notifications.enqueue({
        receiver: 'hooks',
        deliveries: [delivery('one'), delivery('two'), delivery('three', { receiver: 'slack' })],
        throughSeq: 7,
        nowMs: NOW,
        leaseUntilMs: NOW,
      });
      await store.notifications.settle('one', { status: 'delivered', at: minutesIn(3) });
      assert.deepEqual(
        (await store.notifications.list()).map((queued) => queued.id),
        ['three', 'two', 'one'],
      );
      assert.deepEqual(
        (await store.notifications.list({ limit: 1 })).map((queued) => queued.id),
        ['three'],
      );
      assert.deepEqual(await store.notifications.summary(), [
        { receiver: 'hooks', cursor: 7, pending: 1, delivered: 1, failed: 0 },
        { receiver: 'slack', cursor: 0, pending: 1, delivered: 0, failed: 0 },
      ]);
    });

    test('an entry recorded once is appended for the first caller only, of callers racing', async (store) => {
      const draft = makeDraft({ action: 'alert-resolved', ruleId: 'r1' });
      const results = await Promise.all(
        Array.from({ length: 6 }, () => store.notifications.recordOnce('alert:x', draft)),
      );
      const recorded = results.filter((entry) => entry !== undefined);
      assert.equal(recorded.length, 1);
      assert.equal(recorded[0]?.action, 'alert-resolved');
      assert.equal(await store.notifications.recordOnce('alert:x', draft), undefined);
      const entries = await store.audit.list();
      assert.equal(entries.filter((entry) => entry.action === 'alert-resolved').length, 1);
      assert.ok(await store.notifications.recordOnce('alert:y', draft), 'another key is recorded');
    });
  });
}
