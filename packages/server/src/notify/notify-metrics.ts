import { Counter, Histogram, type Registry } from 'prom-client';
import type { NotifyCounters } from './notifier.js';

/**
 * The notifier's metrics on `registry`: `estop_notifications_total{receiver,outcome}` (attempts:
 * delivered, retrying, failed when given up) and `estop_notify_delivery_seconds` (queued to accepted).
 */
export function createNotifyCounters(registry: Registry): NotifyCounters {
  const attempts = new Counter({
    name: 'estop_notifications_total',
    help: 'Notification attempts by receiver and outcome: delivered, retrying, or failed (given up)',
    labelNames: ['receiver', 'outcome'],
    registers: [registry],
  });
  const delivery = new Histogram({
    name: 'estop_notify_delivery_seconds',
    help: 'Time from queueing a notification to its receiver accepting it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  return {
    attempted(receiver, outcome, queuedForMs) {
      attempts.inc({ receiver: receiver.name, outcome });
      if (queuedForMs !== undefined) delivery.observe(Math.max(0, queuedForMs) / 1000);
    },
  };
}
