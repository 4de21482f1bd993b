import { ROUTES } from '@estop/client';
import { DraftInputSchema } from '@estop/core';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { createRoute } from '../http/create-route.js';
import { MAX_PAGE_ITEMS, PageQuerySchema } from '../http/pagination.js';
import { readQuery } from '../http/read-input.js';

const ListQuery = PageQuerySchema.extend({
  tenant: z.string().min(1).max(200).optional(),
  before: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_ITEMS).default(100),
});

/** Drafts: writes that `draft_only` recorded instead of running. */
export function draftRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'drafts'>): void {
  createRoute(app, ROUTES.recordDraft.path, 'enforcer', DraftInputSchema, (principal, input) =>
    deps.drafts.record(principal, input),
  );

  app.get(ROUTES.listDrafts.path, async (context) => {
    const principal = authorize(context, 'viewer');
    const page = await deps.drafts.list(principal, readQuery(context, ListQuery));
    return context.json({ drafts: page.items, nextCursor: page.nextCursor });
  });
}
