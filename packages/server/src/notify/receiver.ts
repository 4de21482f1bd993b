import { hash } from 'node:crypto';
import type { NotifyEvent } from '@estop/core';

/** The body a receiver is sent: estop's JSON, or a Slack-compatible incoming-webhook body. */
export type NotifyFormat = 'json' | 'slack';

/** A configured webhook that hears of changes. */
export interface Receiver {
  /** Stable while its URL is: what the outbox keys its cursor and deliveries by. */
  key: string;
  /** Its URL without path or query (which may hold a secret, as Slack's do): what people are shown. */
  name: string;
  url: string;
  /** Signs each body (HMAC-SHA256, `x-estop-signature`); absent, bodies go unsigned. */
  secret?: string | undefined;
  events: ReadonlySet<NotifyEvent>;
  format: NotifyFormat;
}

/** The outbox key of the receiver at `url`. */
export function receiverKey(url: string): string {
  return `n_${hash('sha256', url, 'hex').slice(0, 16)}`;
}

/** `https://host:port`, leaving out the path and query where a webhook's secret often is. */
export function receiverName(url: string): string {
  return new URL(url).origin;
}
