import type { AuditDraft } from './audit.js';

/**
 * Every event a notification receiver can subscribe to. Most are audit entries as they are
 * committed (`sentinel-tripped` is a rule a sentinel created); `enforcement-lagging` is a stop some
 * enforcer has not acknowledged in time, and `test` is what `estop notify test` sends.
 */
export const NOTIFY_EVENTS = [
  'rule-created',
  'rule-lifted',
  'rule-expired',
  'sentinel-tripped',
  'restore-requested',
  'approval-requested',
  'enforcement-lagging',
  'drill-failed',
  'alert-resolved',
  'test',
] as const;

/** One kind of notified event. */
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/**
 * The event an audit entry is notified as, or undefined when it is not notified: one entry, one
 * event. A rule created by a sentinel is `sentinel-tripped`, every other one `rule-created`.
 */
export function notifyEventOf(entry: Pick<AuditDraft, 'action' | 'actor'>): NotifyEvent | undefined {
  switch (entry.action) {
    case 'rule-created':
      return entry.actor.id.startsWith('sentinel:') ? 'sentinel-tripped' : 'rule-created';
    case 'rule-lifted':
    case 'rule-expired':
    case 'restore-requested':
    case 'approval-requested':
    case 'drill-failed':
    case 'alert-resolved':
      return entry.action;
    default:
      return undefined;
  }
}

/** Where a delivery stands: waiting for an attempt, done, or given up after its last attempt. */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A notification queued for one receiver, as the outbox keeps it. */
export interface Delivery {
  /**
   * Stable across retries, restarts and replicas (derived from the receiver and what is
   * notified): sent as `x-estop-delivery`, for the receiver to drop repeats.
   */
  id: string;
  /** The receiver's key (derived from its URL). */
  receiver: string;
  event: NotifyEvent;
  /** The audit entry it notifies, if it notifies one. */
  seq?: number | undefined;
  /** The exact body sent, and signed, on every attempt. */
  body: string;
  /** ISO-8601 time it was queued. */
  createdAt: string;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  /** Epoch ms before which no attempt is made. */
  nextAttemptMs: number;
  /** Why the last attempt failed. */
  lastError?: string | undefined;
  /** ISO-8601 time the receiver accepted it. */
  deliveredAt?: string | undefined;
}

/** A delivery to queue. */
export type NewDelivery = Pick<Delivery, 'id' | 'receiver' | 'event' | 'seq' | 'body' | 'createdAt'>;

/** How one attempt ended. */
export type DeliveryOutcome =
  | { status: 'delivered'; at: string }
  | { status: 'pending'; nextAttemptMs: number; error: string }
  | { status: 'failed'; error: string };

/** One receiver's outbox at a glance. */
export interface ReceiverSummary {
  receiver: string;
  /** The audit position through which its notifications are queued. */
  cursor: number;
  pending: number;
  delivered: number;
  failed: number;
}
