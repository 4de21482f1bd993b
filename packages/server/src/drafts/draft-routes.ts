import { DraftInputSchema, EstopError, type Draft } from '@estop/core';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole, requireScopeWithinTenant } from '../tokens/principal.js';
import { cursorId, MAX_PAGE_ITEMS, paginate, PageQuerySchema } from '../http/pagination.js';
import { readBody, readQuery } from '../http/read-input.js';
import { requireReportableRule } from '../rules/reportable-rule.js';
import { randomId } from '../tokens/token-secret.js';

const ListQuery = PageQuerySchema.extend({
  tenant: z.string().min(1).max(200).optional(),
  before: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_ITEMS).default(100),
});

// Drafts listed newest first are keyed by time and id; a cursor's page reads from its time on.
const draftKey = (draft: Draft) => `${draft.at} ${draft.id}`;
// Drafts recorded in the same millisecond as a cursor's last one that are read again to find it.
const SAME_TIME_SLACK = 100;

/** Drafts: writes that `draft_only` recorded instead of running. */
export function draftRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post('/v1/drafts', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'enforcer');
    const input = await readBody(context, DraftInputSchema);
    requireScopeWithinTenant(principal, { tenant: input.tenant });
    if (input.ruleId !== undefined) await requireReportableRule(deps, principal, input.ruleId, input.tenant);
    const draft: Draft = {
      id: randomId('draft'),
      ...input,
      actor: { id: principal.name, kind: 'agent' },
      at: new Date(deps.clock.now()).toISOString(),
    };
    await deps.store.drafts.create(draft, {
      at: draft.at,
      action: 'draft-recorded',
      actor: draft.actor,
      reason: `${draft.tool} recorded as a draft, not run`,
      scope: { tenant: draft.tenant, agent: draft.agent, run: draft.run, tool: draft.tool },
      ruleId: draft.ruleId,
      data: { draftId: draft.id, tool: draft.tool, enforcer: draft.enforcer },
    });
    deps.events.notify('drafts');
    deps.events.notify('audit');
    return context.json(draft, 201);
  });

  app.get('/v1/drafts', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'viewer');
    const query = readQuery(context, ListQuery);
    // A tenant's token sees its own drafts only, whatever it asks for.
    if (principal.tenant !== undefined && query.tenant !== undefined && query.tenant !== principal.tenant) {
      return context.json({ drafts: [], nextCursor: null });
    }
    const { cursor, limit } = query;
    const lastAt = cursor === undefined ? undefined : cursorId(cursor).split(' ', 1)[0];
    const lastTime = lastAt === undefined ? Number.NaN : Date.parse(lastAt);
    if (cursor !== undefined && Number.isNaN(lastTime)) {
      throw new EstopError({ code: 'invalid_request', message: 'query: cursor: not a cursor this server issued' });
    }
    const drafts = await deps.store.drafts.list({
      tenant: principal.tenant ?? query.tenant,
      // From the cursor's millisecond on (inclusive), so that the page can start right after its draft.
      before: cursor === undefined ? query.before : new Date(lastTime + 1).toISOString(),
      limit: cursor === undefined ? limit + 1 : limit + SAME_TIME_SLACK + 1,
    });
    const page = paginate(drafts, draftKey, { limit, cursor });
    return context.json({ drafts: page.items, nextCursor: page.nextCursor });
  });
}
