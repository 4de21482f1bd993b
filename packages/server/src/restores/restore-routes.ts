import { ROUTES } from '@estop/client';
import { RestoreConfirmSchema } from '@estop/core';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { listRoute } from '../http/list-route.js';
import { readBody } from '../http/read-input.js';

/** Pending restore requests, and their confirmation by a second admin. */
export function restoreRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'restoreRequests'>): void {
  listRoute(app, ROUTES.listRestoreRequests.path, 'admin', 'requests', (principal) =>
    deps.restoreRequests.pending(principal),
  );

  app.post(ROUTES.confirmRestoreRequest.path, async (context) => {
    const principal = authorize(context, 'admin');
    const { reason, force } = await readBody(context, RestoreConfirmSchema);
    const result = await deps.restoreRequests.confirm(principal, context.req.param('id'), reason, force);
    return context.json(result);
  });
}
