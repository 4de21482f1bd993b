import { ROUTES } from '@estop/client';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { paginate, PageQuerySchema } from '../http/pagination.js';

import { readQuery } from '../http/read-input.js';

/**
 * The configured sentinels, for operators to see what may trip on its own: each enforcing or in
 * shadow, with the peaks and crossings it has seen and its trips standing now.
 */
export function sentinelRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'sentinelViews'>): void {
  app.get(ROUTES.listSentinels.path, async (context) => {
    const principal = authorize(context, 'viewer');
    const query = readQuery(context, PageQuerySchema);
    const page = paginate(await deps.sentinelViews.list(principal), (sentinel) => sentinel.name, query);
    return context.json({ sentinels: page.items, nextCursor: page.nextCursor });
  });
}
