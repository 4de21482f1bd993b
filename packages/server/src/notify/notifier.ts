import { randomBytes } from 'node:crypto';
import type { Clock, Delivery, NewDelivery, Store } from '@estop/core';
import type { Logger } from '../logger.js';
import { newDelivery } from './delivery-body.js';
import { noticeOfEntry, type Notice } from './notice.js';
import type { Receiver } from './receiver.js';
import { DEFAULT_RETRY, retryDelayMs, type RetryPolicy } from './retry-delay.js';
import { postWebhook, type Attempt } from './webhook.js';

/** Audit entries read per page while queueing. */
const PAGE = 500;
/** Due deliveries claimed per round. */
const CLAIM_BATCH = 50;

/** What the notifier counts, for the metrics. */
export interface NotifyCounters {
  /** One attempt ended: `delivered`, `retrying` or `failed` (given up). */
  attempted(receiver: Receiver, outcome: 'delivered' | 'retrying' | 'failed', queuedForMs?: number): void;
}

/** What a test notification did at one receiver. */
export interface TestOutcome {
  receiver: string;
  name: string;
  delivery: string;
  attempt: Attempt;
}

/** Queues what the audit log says to each receiver, and delivers it, at least once. */
export interface Notifier {
  readonly receivers: readonly Receiver[];
  /** Queues and delivers what is new, soon (calls made while a round runs are one more round). */
  wake(): void;
  /** Queues `notice` to every receiver that hears its event (a stable id: queued once) and delivers it. */
  queue(notice: Notice): Promise<void>;
  /** Sends a `test` event to every receiver at once; answers each first attempt (retried as any delivery). */
  test(actor: string): Promise<TestOutcome[]>;
  /** Stops timers and waits for attempts under way. */
  close(): Promise<void>;
}

/**
 * The notifier. Receivers' cursors move only in the transaction that queues their deliveries,
 * so an entry committed before a crash is queued after the restart; a delivery is leased to one
 * process for `timeoutMs` and a little more, so a replica that dies mid-attempt leaves it to another.
 */
export function createNotifier(options: {
  store: Pick<Store, 'audit' | 'notifications'>;
  receivers: readonly Receiver[];
  clock: Clock;
  logger: Logger;
  counters?: NotifyCounters | undefined;
  retry?: RetryPolicy | undefined;
  /** How long one attempt may take. Default 10 s. */
  timeoutMs?: number | undefined;
  /** How often due retries and other replicas' entries are looked for. Default 1000. */
  pollMs?: number | undefined;
}): Notifier {
  const { store, receivers, clock, logger } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = timeoutMs + 5000;
  const byKey = new Map(receivers.map((receiver) => [receiver.key, receiver]));
  const keys = receivers.map((receiver) => receiver.key);
  /** Each receiver's cursor as this process last knew it; another replica may be ahead. */
  const cursors = new Map<string, number>();
  const attempts = new Set<Promise<unknown>>();
  let running = false;
  let again = false;
  let closed = false;
  // Closing abandons attempts under way without settling them: their lease runs out and the next
  // process (or replica) makes them again, with the same id.
  const closing = new AbortController();

  function track<T>(work: Promise<T>): Promise<T> {
    attempts.add(work);
    void work.finally(() => attempts.delete(work)).catch(() => {});
    return work;
  }

  async function attempt(delivery: Delivery): Promise<Attempt> {
    const receiver = byKey.get(delivery.receiver);
    if (receiver === undefined) return { ok: false, error: 'unknown receiver' };
    const result = await postWebhook(receiver, delivery, timeoutMs, closing.signal);
    if (closing.signal.aborted) return { ok: false, error: 'closing' };
    const made = delivery.attempts + 1;
    const nowMs = clock.now();
    if (result.ok) {
      await store.notifications.settle(delivery.id, { status: 'delivered', at: new Date(nowMs).toISOString() });
      options.counters?.attempted(receiver, 'delivered', nowMs - Date.parse(delivery.createdAt));
    } else if (made >= retry.attempts) {
      await store.notifications.settle(delivery.id, { status: 'failed', error: result.error });
      options.counters?.attempted(receiver, 'failed');
      logger.error('a notification was given up', {
        receiver: receiver.name,
        delivery: delivery.id,
        error: result.error,
      });
    } else {
      const nextAttemptMs = nowMs + retryDelayMs(retry, made);
      await store.notifications.settle(delivery.id, { status: 'pending', nextAttemptMs, error: result.error });
      options.counters?.attempted(receiver, 'retrying');
    }
    return result;
  }

  function send(deliveries: readonly Delivery[]): Promise<Attempt[]> {
    return track(
      Promise.all(
        deliveries.map((delivery) =>
          attempt(delivery).catch((error: unknown): Attempt => {
            logger.error('recording a notification attempt failed', { delivery: delivery.id, error: String(error) });
            return { ok: false, error: 'not recorded' };
          }),
        ),
      ),
    );
  }

  async function enqueue(receiver: Receiver, deliveries: readonly NewDelivery[], throughSeq?: number) {
    const nowMs = clock.now();
    const leased = await store.notifications.enqueue({
      receiver: receiver.key,
      deliveries,
      throughSeq,
      nowMs,
      leaseUntilMs: nowMs + leaseMs,
    });
    if (throughSeq !== undefined) cursors.set(receiver.key, Math.max(cursors.get(receiver.key) ?? 0, throughSeq));
    return leased;
  }

  /** Queues the audit entries after each receiver's cursor, page by page, and sends what it queued. */
  async function queueFromAudit(): Promise<void> {
    for (const receiver of receivers) {
      if (!cursors.has(receiver.key)) cursors.set(receiver.key, await store.notifications.cursor(receiver.key));
    }
    for (;;) {
      const from = Math.min(...receivers.map((receiver) => cursors.get(receiver.key) ?? 0));
      const entries = await store.audit.list({ afterSeq: from, limit: PAGE });
      const last = entries.at(-1);
      if (last === undefined) return;
      const createdAt = new Date(clock.now()).toISOString();
      for (const receiver of receivers) {
        const cursor = cursors.get(receiver.key) ?? 0;
        if (cursor >= last.seq) continue;
        const deliveries = entries.flatMap((entry) => {
          if (entry.seq <= cursor) return [];
          const notice = noticeOfEntry(entry);
          return notice !== undefined && receiver.events.has(notice.event)
            ? [newDelivery(receiver, notice, createdAt)]
            : [];
        });
        void send(await enqueue(receiver, deliveries, last.seq));
      }
      if (entries.length < PAGE) return;
    }
  }

  async function round(): Promise<void> {
    await queueFromAudit();
    const nowMs = clock.now();
    const due = await store.notifications.claim({
      receivers: keys,
      nowMs,
      leaseUntilMs: nowMs + leaseMs,
      limit: CLAIM_BATCH,
    });
    void send(due);
  }

  function wake(): void {
    if (closed || receivers.length === 0) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    void (async () => {
      do {
        again = false;
        await round().catch((error: unknown) =>
          logger.error('queueing notifications failed', { error: String(error) }),
        );
      } while (again && !closed);
      running = false;
    })();
  }

  const timer = setInterval(wake, options.pollMs ?? 1000);
  timer.unref();

  return {
    receivers,
    wake,
    async queue(notice) {
      const createdAt = new Date(clock.now()).toISOString();
      for (const receiver of receivers) {
        if (!receiver.events.has(notice.event)) continue;
        void send(await enqueue(receiver, [newDelivery(receiver, notice, createdAt)]));
      }
    },
    async test(actor) {
      const at = new Date(clock.now()).toISOString();
      const notice: Notice = {
        event: 'test',
        source: `test:${randomBytes(8).toString('hex')}`,
        at,
        text: `estop test notification, sent by ${actor}`,
        data: { actor },
      };
      return Promise.all(
        receivers.map(async (receiver): Promise<TestOutcome> => {
          const delivery = newDelivery(receiver, notice, at);
          const [leased] = await enqueue(receiver, [delivery]);
          const [result] = leased === undefined ? [] : await send([leased]);
          return {
            receiver: receiver.key,
            name: receiver.name,
            delivery: delivery.id,
            attempt: result ?? { ok: false, error: 'not queued' },
          };
        }),
      );
    },
    async close() {
      closed = true;
      clearInterval(timer);
      closing.abort();
      while (running || attempts.size > 0) {
        await Promise.allSettled([...attempts]);
        if (running) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}
