import { ROUTES } from '@estop/client';
import {
  IdempotencyBatchSchema,
  IdempotencyClaimInputSchema,
  IdempotencyCompleteSchema,
  IdempotencyReleaseSchema,
} from '@estop/core';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { readBody } from '../http/read-input.js';

/** Idempotency keys: claim before a write, then complete it with the result or release it; or many at once. */
export function idempotencyRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'idempotency'>): void {
  app.post(ROUTES.claimIdempotency.path, async (context) => {
    const principal = authorize(context, 'enforcer');
    return context.json(await deps.idempotency.claim(principal, await readBody(context, IdempotencyClaimInputSchema)));
  });

  app.post(ROUTES.completeIdempotency.path, async (context) => {
    const principal = authorize(context, 'enforcer');
    await deps.idempotency.complete(principal, await readBody(context, IdempotencyCompleteSchema));
    return context.body(null, 204);
  });

  app.post(ROUTES.idempotencyBatch.path, async (context) => {
    const principal = authorize(context, 'enforcer');
    const { ops } = await readBody(context, IdempotencyBatchSchema);
    return context.json({ results: await deps.idempotency.batch(principal, ops) });
  });

  app.post(ROUTES.releaseIdempotency.path, async (context) => {
    const principal = authorize(context, 'enforcer');
    await deps.idempotency.release(principal, await readBody(context, IdempotencyReleaseSchema));
    return context.body(null, 204);
  });
}
