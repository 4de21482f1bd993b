import { ROUTES } from '@estop/client';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { readQuery } from '../http/read-input.js';

const ListQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** `nextCursor` of the previous page: the same as `after` its last entry's sequence number. */
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,1000}$/, 'not a cursor this server issued')
    .optional(),
});

/** Reading and verifying the hash-chained audit log. */
export function auditRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'auditLog'>): void {
  app.get(ROUTES.listAudit.path, async (context) => {
    const principal = authorize(context, 'viewer');
    return context.json(await deps.auditLog.list(principal, readQuery(context, ListQuery)));
  });

  app.get(ROUTES.verifyAudit.path, async (context) => {
    authorize(context, 'viewer');
    return context.json(await deps.auditLog.verify());
  });
}
