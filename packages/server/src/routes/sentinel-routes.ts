import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole } from '../principal.js';

/** The configured sentinels, for operators to see what may trip on its own. */
export function sentinelRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/v1/sentinels', (context) => {
    requireRole(context.get('principal'), 'viewer');
    return context.json({ sentinels: deps.sentinels });
  });
}
