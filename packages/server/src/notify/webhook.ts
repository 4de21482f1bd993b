import type { Delivery } from '@estop/core';
import { signatureOf } from './delivery-body.js';
import type { Receiver } from './receiver.js';

/** How an attempt ended: accepted (2xx), or why not. */
export type Attempt = { ok: true } | { ok: false; error: string };

/**
 * POSTs a delivery's body to its receiver with `x-estop-delivery`, `x-estop-event` and, when the
 * receiver has a secret, `x-estop-signature`. Redirects are not followed; a 2xx is success;
 * anything else, a timeout or a network failure is a failed attempt, never a throw. `signal`
 * abandons the attempt (the process is closing).
 */
export async function postWebhook(
  receiver: Receiver,
  delivery: Delivery,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Attempt> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'estop-notify',
    'x-estop-delivery': delivery.id,
    'x-estop-event': delivery.event,
  };
  if (receiver.secret !== undefined) headers['x-estop-signature'] = signatureOf(receiver.secret, delivery.body);
  try {
    const response = await fetch(receiver.url, {
      method: 'POST',
      headers,
      body: delivery.body,
      redirect: 'manual',
      signal:
        signal === undefined
          ? AbortSignal.timeout(timeoutMs)
          : AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) return { ok: true };
    return { ok: false, error: `HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const name = (error as Error).name;
    if (name === 'TimeoutError') return { ok: false, error: `no answer within ${timeoutMs} ms` };
    return { ok: false, error: cause ?? (error as Error).message };
  }
}
