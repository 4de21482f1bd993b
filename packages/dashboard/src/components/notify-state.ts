import type { DeliveryView, NotifyReceiverView, NotifyStatus } from '../api/types.js';

/** One receiver as the notifications panel shows it: its counts, its latest delivery, its last failure. */
export interface ReceiverState {
  receiver: NotifyReceiverView;
  /** `delivered`, `retrying`, `queued`, `failed`, or `nothing sent yet`. */
  state: string;
  /** Its newest delivery among those listed. */
  latest?: DeliveryView | undefined;
  /** Its newest delivery among those listed that has an error: failed, or being retried. */
  lastFailure?: DeliveryView | undefined;
}

/** What a delivery's status says of its receiver now. */
function stateOf(delivery: DeliveryView | undefined): string {
  if (delivery === undefined) return 'nothing sent yet';
  if (delivery.status === 'pending') return delivery.lastError === undefined ? 'queued' : 'retrying';
  return delivery.status;
}

/**
 * Each receiver's delivery state from `GET /v1/notify`: the status of its newest listed delivery,
 * and its newest listed error. Deliveries are compared by when they were queued, whatever the
 * order of the list.
 */
export function receiverStates(status: NotifyStatus): ReceiverState[] {
  return status.receivers.map((receiver) => {
    const own = status.deliveries
      .filter((delivery) => delivery.receiver === receiver.receiver)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const latest = own[0];
    return {
      receiver,
      state: stateOf(latest),
      latest,
      lastFailure: own.find((delivery) => delivery.lastError !== undefined),
    };
  });
}
