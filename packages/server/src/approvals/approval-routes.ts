import { ROUTES } from '@estop/client';
import { ApprovalConsumeSchema, ApprovalDecisionInputSchema, ApprovalRequestInputSchema } from '@estop/core';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole } from '../tokens/principal.js';
import { authorize } from '../http/authorize.js';
import { createRoute } from '../http/create-route.js';
import { paginate, PageQuerySchema } from '../http/pagination.js';
import { readBody, readQuery } from '../http/read-input.js';

const ListQuery = PageQuerySchema.extend({ status: z.enum(['pending']).optional() });
const WaitQuery = z.object({ wait: z.coerce.number().int().min(0).max(60_000).default(0) });

/** Approvals: enforcers request and use them, operators decide them. */
export function approvalRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'approvals'>): void {
  createRoute(app, ROUTES.requestApproval.path, 'enforcer', ApprovalRequestInputSchema, (principal, input) =>
    deps.approvals.request(principal, input),
  );

  app.get(ROUTES.listApprovals.path, async (context) => {
    const { status, ...query } = readQuery(context, ListQuery);
    const principal = authorize(context, 'viewer');
    const approvals = await deps.approvals.list(principal, { pending: status === 'pending' });
    const page = paginate(approvals, (approval) => approval.id, query);
    return context.json({ approvals: page.items, nextCursor: page.nextCursor });
  });

  app.get(ROUTES.getApproval.path, async (context) => {
    const principal = context.get('principal');
    const { wait } = readQuery(context, WaitQuery);
    // Enforcers wait on the approvals they asked for; everyone else needs to be a viewer.
    if (principal.role !== 'enforcer') requireRole(principal, 'viewer');
    return context.json(await deps.approvals.get(principal, context.req.param('id'), wait));
  });

  for (const [action, outcome] of [
    ['approve', 'approved'],
    ['deny', 'denied'],
  ] as const) {
    app.post(ROUTES[action].path, async (context) => {
      const principal = authorize(context, 'operator');
      const { reason } = await readBody(context, ApprovalDecisionInputSchema);
      return context.json(await deps.approvals.decide(principal, context.req.param('id'), outcome, reason));
    });
  }

  app.post(ROUTES.consumeApproval.path, async (context) => {
    const principal = authorize(context, 'enforcer');
    const { hash } = await readBody(context, ApprovalConsumeSchema);
    return context.json(await deps.approvals.consume(principal, context.req.param('id'), hash));
  });
}
