import { ROUTES } from '@estop/client';
import { RestoreConfirmSchema } from '@estop/core';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { paginate, PageQuerySchema } from '../http/pagination.js';
import { readBody, readQuery } from '../http/read-input.js';

/** Pending restore requests, and their confirmation by a second admin. */
export function restoreRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'restoreRequests'>): void {
  app.get(ROUTES.listRestoreRequests.path, async (context) => {
    const principal = authorize(context, 'admin');
    const query = readQuery(context, PageQuerySchema);
    const page = paginate(await deps.restoreRequests.pending(principal), (request) => request.id, query);
    return context.json({ requests: page.items, nextCursor: page.nextCursor });
  });

  app.post(ROUTES.confirmRestoreRequest.path, async (context) => {
    const principal = authorize(context, 'admin');
    const { reason } = await readBody(context, RestoreConfirmSchema);
    const result = await deps.restoreRequests.confirm(principal, context.req.param('id'), reason);
    return context.json(result);
  });
}
