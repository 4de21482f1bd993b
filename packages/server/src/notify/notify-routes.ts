import { ROUTES } from '@estop/client';
import { EstopError, type DeliveryStatus, type NotificationStore } from '@estop/core';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { readBody, readQuery } from '../http/read-input.js';
import type { Notifier } from './notifier.js';

const StatusQuery = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/**
 * Notifications: each receiver's outbox (cursor, pending, delivered, failed) and its latest
 * deliveries, for people (no bodies: receivers' names and what happened, not what was said);
 * and a test event an admin sends to every receiver.
 */
export function notifyRoutes(
  app: Hono<AppEnv>,
  deps: { notifier: Notifier; notifications: Pick<NotificationStore, 'list' | 'summary'> },
): void {
  const nameOf = new Map(deps.notifier.receivers.map((receiver) => [receiver.key, receiver.name]));

  app.get(ROUTES.notifyStatus.path, async (context) => {
    authorize(context, 'viewer');
    const query = readQuery(context, StatusQuery);
    const summaries = new Map((await deps.notifications.summary()).map((summary) => [summary.receiver, summary]));
    const receivers = deps.notifier.receivers.map((receiver) => ({
      receiver: receiver.key,
      name: receiver.name,
      format: receiver.format,
      signed: receiver.secret !== undefined,
      events: [...receiver.events],
      cursor: summaries.get(receiver.key)?.cursor ?? 0,
      pending: summaries.get(receiver.key)?.pending ?? 0,
      delivered: summaries.get(receiver.key)?.delivered ?? 0,
      failed: summaries.get(receiver.key)?.failed ?? 0,
    }));
    const deliveries = (
      await deps.notifications.list({ status: query.status as DeliveryStatus | undefined, limit: query.limit })
    )
      .filter((delivery) => nameOf.has(delivery.receiver))
      .map(({ body: _body, nextAttemptMs, ...delivery }) => ({
        ...delivery,
        name: nameOf.get(delivery.receiver),
        nextAttemptAt: delivery.status === 'pending' ? new Date(nextAttemptMs).toISOString() : undefined,
      }));
    return context.json({ receivers, deliveries });
  });

  app.post(ROUTES.notifyTest.path, async (context) => {
    const principal = authorize(context, 'admin');
    await readBody(context, z.strictObject({}));
    if (deps.notifier.receivers.length === 0) {
      throw new EstopError({
        code: 'not_found',
        message: 'no notification receivers are configured (notify: in the config)',
      });
    }
    return context.json({ results: await deps.notifier.test(principal.name) });
  });
}
