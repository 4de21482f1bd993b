import type { AuditHead } from './audit.js';
import type { MemoryParts } from './memory-governance.js';
import type { Delivery, ReceiverSummary } from './notification.js';
import type { NotificationStore } from './ports/notification-store.js';

const DEFAULT_LIST = 100;

/** The notification outbox held in memory; see NotificationStore. */
export function memoryNotificationStore(parts: MemoryParts & { head(): AuditHead }): NotificationStore {
  const { open, append, copy } = parts;
  const cursors = new Map<string, number>();
  // Insertion order is queue order; the lease is kept beside each delivery.
  const deliveries = new Map<string, Delivery & { leaseUntilMs: number }>();
  const once = new Set<string>();

  function cursorOf(receiver: string): number {
    const known = cursors.get(receiver);
    if (known !== undefined) return known;
    const seq = parts.head().seq;
    cursors.set(receiver, seq);
    return seq;
  }

  function shown(delivery: Delivery & { leaseUntilMs: number }): Delivery {
    const { leaseUntilMs: _lease, ...rest } = delivery;
    return copy(rest);
  }

  return {
    async cursor(receiver) {
      open();
      return cursorOf(receiver);
    },
    async enqueue({ receiver, deliveries: queued, throughSeq, nowMs, leaseUntilMs }) {
      open();
      const added: Delivery[] = [];
      for (const given of queued) {
        if (deliveries.has(given.id)) continue;
        const delivery = {
          ...copy(given),
          status: 'pending' as const,
          attempts: 0,
          nextAttemptMs: nowMs,
          leaseUntilMs,
        };
        deliveries.set(given.id, delivery);
        added.push(shown(delivery));
      }
      if (throughSeq !== undefined) cursors.set(receiver, Math.max(cursorOf(receiver), throughSeq));
      return added;
    },
    async claim({ receivers, nowMs, leaseUntilMs, limit }) {
      open();
      const wanted = new Set(receivers);
      const claimed: Delivery[] = [];
      for (const delivery of deliveries.values()) {
        if (claimed.length >= limit) break;
        if (delivery.status !== 'pending' || !wanted.has(delivery.receiver)) continue;
        if (delivery.nextAttemptMs > nowMs || delivery.leaseUntilMs > nowMs) continue;
        delivery.leaseUntilMs = leaseUntilMs;
        claimed.push(shown(delivery));
      }
      return claimed;
    },
    async settle(id, outcome) {
      open();
      const delivery = deliveries.get(id);
      if (delivery === undefined) return false;
      delivery.attempts += 1;
      delivery.leaseUntilMs = 0;
      delivery.status = outcome.status;
      if (outcome.status === 'delivered') {
        delivery.deliveredAt = outcome.at;
      } else {
        delivery.lastError = outcome.error;
        if (outcome.status === 'pending') delivery.nextAttemptMs = outcome.nextAttemptMs;
      }
      return true;
    },
    async list(query = {}) {
      open();
      const matching = [...deliveries.values()].filter(
        (delivery) => query.status === undefined || delivery.status === query.status,
      );
      return matching
        .reverse()
        .slice(0, Math.max(0, query.limit ?? DEFAULT_LIST))
        .map(shown);
    },
    async summary() {
      open();
      const byReceiver = new Map<string, ReceiverSummary>();
      const entry = (receiver: string) => {
        let summary = byReceiver.get(receiver);
        if (summary === undefined) {
          summary = { receiver, cursor: cursors.get(receiver) ?? 0, pending: 0, delivered: 0, failed: 0 };
          byReceiver.set(receiver, summary);
        }
        return summary;
      };
      for (const receiver of cursors.keys()) entry(receiver);
      for (const delivery of deliveries.values()) entry(delivery.receiver)[delivery.status] += 1;
      return [...byReceiver.values()].sort((a, b) => a.receiver.localeCompare(b.receiver));
    },
    async recordOnce(key, audit) {
      open();
      if (once.has(key)) return undefined;
      once.add(key);
      return append([audit])[0];
    },
  };
}
