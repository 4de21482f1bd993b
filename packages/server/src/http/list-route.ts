import type { Role } from '@estop/core';
import type { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { Principal } from '../tokens/principal.js';
import { authorize } from './authorize.js';
import { paginate, PageQuerySchema } from './pagination.js';
import { readQuery } from './read-input.js';

/**
 * A `GET` route that lists what `list` shows a principal holding `role`, a page at a time:
 * `{ [key]: items, nextCursor }`, items known by their `id`.
 *
 * @example
 * listRoute(app, ROUTES.listRuns.path, 'viewer', 'runs', (principal) => deps.runs.list(principal));
 */
export function listRoute<Item extends { id: string }>(
  app: Hono<AppEnv>,
  path: string,
  role: Role,
  key: string,
  list: (principal: Principal) => Promise<readonly Item[]> | readonly Item[],
): void {
  app.get(path, async (context) => {
    const principal = authorize(context, role);
    const query = readQuery(context, PageQuerySchema);
    const page = paginate(await list(principal), (item) => item.id, query);
    return context.json({ [key]: page.items, nextCursor: page.nextCursor });
  });
}
