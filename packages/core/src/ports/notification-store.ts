import type { AuditDraft, AuditEntry } from '../audit.js';
import type { Delivery, DeliveryOutcome, DeliveryStatus, NewDelivery, ReceiverSummary } from '../notification.js';

/**
 * The notification outbox. The audit log is its source: every change is committed with its audit
 * entry, and each receiver has a durable cursor (the audit position through which its deliveries
 * are queued), so nothing committed is lost between the commit and the queue. Deliveries are leased
 * to one process at a time; their ids are stable, so a repeat after a crash carries the same id.
 */
export interface NotificationStore {
  /** The receiver's cursor; created at the audit head when the receiver is new (history is not notified). */
  cursor(receiver: string): Promise<number>;
  /**
   * Queues `deliveries` (an id already queued is passed over) and moves the receiver's cursor to
   * `throughSeq` (never back), in one transaction. Answers the deliveries it queued, leased to the
   * caller until `leaseUntilMs`.
   */
  enqueue(request: {
    receiver: string;
    deliveries: readonly NewDelivery[];
    throughSeq?: number | undefined;
    nowMs: number;
    leaseUntilMs: number;
  }): Promise<Delivery[]>;
  /**
   * Leases up to `limit` pending deliveries of `receivers` whose next attempt is due and whose
   * lease has passed, until `leaseUntilMs`: of processes claiming at once, each delivery goes to one.
   */
  claim(request: {
    receivers: readonly string[];
    nowMs: number;
    leaseUntilMs: number;
    limit: number;
  }): Promise<Delivery[]>;
  /** Records an attempt's outcome (one more attempt) and ends the lease; false if no delivery has that id. */
  settle(id: string, outcome: DeliveryOutcome): Promise<boolean>;
  /** Deliveries newest first; with `status`, only those; at most `limit` (default 100). */
  list(query?: { status?: DeliveryStatus; limit?: number }): Promise<Delivery[]>;
  /** Each receiver with a cursor or deliveries: its cursor and how many deliveries are in each status. */
  summary(): Promise<ReceiverSummary[]>;
  /**
   * Appends `audit` once for `key`, in one transaction with the key: the entry for the first
   * caller, undefined (and nothing written) for every later one, whichever replica calls.
   */
  recordOnce(key: string, audit: AuditDraft): Promise<AuditEntry | undefined>;
}
