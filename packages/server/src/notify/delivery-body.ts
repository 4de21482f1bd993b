import { createHmac, hash } from 'node:crypto';
import type { NewDelivery } from '@estop/core';
import type { Notice } from './notice.js';
import type { Receiver } from './receiver.js';

/** The delivery id of `notice` for `receiver`: the same on every attempt, restart and replica. */
export function deliveryId(receiver: Receiver, notice: Pick<Notice, 'source'>): string {
  return `dl_${hash('sha256', `${receiver.key}\n${notice.source}`, 'hex').slice(0, 32)}`;
}

/**
 * The body `receiver` is sent for `notice`: estop's JSON (`{id, event, at, text, data}`), or for
 * `slack` an incoming-webhook body (`{text}`).
 */
export function deliveryBody(receiver: Receiver, notice: Notice, id: string): string {
  if (receiver.format === 'slack') return JSON.stringify({ text: notice.text });
  return JSON.stringify({ id, event: notice.event, at: notice.at, text: notice.text, data: notice.data });
}

/** The delivery to queue for `notice` at `receiver`. */
export function newDelivery(receiver: Receiver, notice: Notice, createdAt: string): NewDelivery {
  const id = deliveryId(receiver, notice);
  return {
    id,
    receiver: receiver.key,
    event: notice.event,
    seq: notice.seq,
    body: deliveryBody(receiver, notice, id),
    createdAt,
  };
}

/** `sha256=<hex>`: the HMAC-SHA256 of the raw body with the receiver's secret, for `x-estop-signature`. */
export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
