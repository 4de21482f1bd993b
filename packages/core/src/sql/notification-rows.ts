import type { Delivery, DeliveryStatus, NotifyEvent, ReceiverSummary } from '../notification.js';
import { present } from './present.js';

/** A row of `estop_notify_deliveries` as a driver returns it (64-bit columns may come back as text). */
export interface DeliveryRow {
  id: string;
  receiver: string;
  event: string;
  seq: number | string | null;
  body: string;
  created_at: string;
  status: string;
  attempts: number;
  next_attempt_ms: number | string;
  last_error: string | null;
  delivered_at: string | null;
}

/** The columns `DeliveryRow` reads, in order. */
export const DELIVERY_COLUMNS =
  'id, receiver, event, seq, body, created_at, status, attempts, next_attempt_ms, last_error, delivered_at';

/** The columns a new delivery is inserted with, in `newDeliveryValues` order. */
export const DELIVERY_INSERT_COLUMNS =
  'id, receiver, event, seq, body, created_at, status, attempts, next_attempt_ms, lease_until_ms';

/** The values, in `DELIVERY_INSERT_COLUMNS` order, of a delivery queued at `nowMs` and leased until `leaseUntilMs`. */
export function newDeliveryValues(
  delivery: Pick<Delivery, 'id' | 'receiver' | 'event' | 'seq' | 'body' | 'createdAt'>,
  nowMs: number,
  leaseUntilMs: number,
): unknown[] {
  return [
    delivery.id,
    delivery.receiver,
    delivery.event,
    delivery.seq ?? null,
    delivery.body,
    delivery.createdAt,
    'pending',
    0,
    nowMs,
    leaseUntilMs,
  ];
}

/** The delivery a row holds. */
export function deliveryFromRow(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    receiver: row.receiver,
    event: row.event as NotifyEvent,
    ...present('seq', row.seq === null ? null : Number(row.seq)),
    body: row.body,
    createdAt: row.created_at,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptMs: Number(row.next_attempt_ms),
    ...present('lastError', row.last_error),
    ...present('deliveredAt', row.delivered_at),
  };
}

/**
 * The values that record an attempt's outcome, for `SET status = $1, attempts = attempts + 1,
 * lease_until_ms = 0, next_attempt_ms = coalesce($2, next_attempt_ms), last_error = coalesce($3,
 * last_error), delivered_at = $4` (each store spells its placeholders).
 */
export function settleValues(outcome: {
  status: DeliveryStatus;
  nextAttemptMs?: number;
  error?: string;
  at?: string;
}): unknown[] {
  return [outcome.status, outcome.nextAttemptMs ?? null, outcome.error ?? null, outcome.at ?? null];
}

/** One row of `SELECT receiver, status, count(*)` over the deliveries, and the cursors. */
export interface ReceiverCountRow {
  receiver: string;
  status: string | null;
  count: number | string;
  cursor: number | string | null;
}

/** Folds per-status counts and cursors into one summary per receiver, by receiver. */
export function receiverSummaries(rows: readonly ReceiverCountRow[]): ReceiverSummary[] {
  const byReceiver = new Map<string, ReceiverSummary>();
  for (const row of rows) {
    let summary = byReceiver.get(row.receiver);
    if (summary === undefined) {
      summary = { receiver: row.receiver, cursor: 0, pending: 0, delivered: 0, failed: 0 };
      byReceiver.set(row.receiver, summary);
    }
    if (row.cursor !== null) summary.cursor = Number(row.cursor);
    if (row.status === 'pending' || row.status === 'delivered' || row.status === 'failed') {
      summary[row.status] += Number(row.count);
    }
  }
  return [...byReceiver.values()].sort((a, b) => a.receiver.localeCompare(b.receiver));
}

/**
 * The summary query: per receiver and status, the count, and each receiver's cursor (a row with
 * a NULL status for a receiver with a cursor). `?`-free, so both dialects run it as is.
 */
export const RECEIVER_SUMMARY_SQL = `
  SELECT receiver, status, count(*) AS count, NULL AS cursor FROM estop_notify_deliveries GROUP BY receiver, status
  UNION ALL
  SELECT receiver, NULL AS status, 0 AS count, seq AS cursor FROM estop_notify_cursors`;
