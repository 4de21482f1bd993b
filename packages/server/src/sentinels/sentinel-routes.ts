import { ROUTES } from '@estop/client';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { paginate, PageQuerySchema } from '../http/pagination.js';

import { readQuery } from '../http/read-input.js';

/** The configured sentinels, for operators to see what may trip on its own. */
export function sentinelRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'sentinels'>): void {
  app.get(ROUTES.listSentinels.path, (context) => {
    authorize(context, 'viewer');
    const page = paginate(deps.sentinels, (sentinel) => sentinel.name, readQuery(context, PageQuerySchema));
    return context.json({ sentinels: page.items, nextCursor: page.nextCursor });
  });
}
