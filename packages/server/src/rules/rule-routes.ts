import { ROUTES, pathTo } from '@estop/client';
import { LiftInputSchema, RuleInputSchema } from '@estop/core';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { createRoute } from '../http/create-route.js';
import { paginate, PageQuerySchema } from '../http/pagination.js';
import { readBody, readQuery } from '../http/read-input.js';

/** Flip (create), list and lift rules. */
export function ruleRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'rules'>): void {
  app.get(ROUTES.listRules.path, (context) => {
    const principal = authorize(context, 'viewer');
    const query = readQuery(context, PageQuerySchema);
    const { version, rules } = deps.rules.list(principal);
    const page = paginate(rules, (rule) => rule.id, query);
    return context.json({ version, rules: page.items, nextCursor: page.nextCursor });
  });

  app.get(ROUTES.getRule.path, async (context) => {
    const principal = authorize(context, 'viewer');
    return context.json(await deps.rules.get(principal, context.req.param('id')));
  });

  createRoute(app, ROUTES.createRule.path, 'operator', RuleInputSchema, (principal, input) =>
    deps.rules.create(principal, input),
  );

  app.post(ROUTES.liftRule.path, async (context) => {
    const principal = authorize(context, 'admin');
    const { reason, to, force } = await readBody(context, LiftInputSchema);
    const result = await deps.rules.lift(principal, context.req.param('id'), reason, to, force);
    if (result.outcome === 'requested') {
      const { request } = result;
      return context.json(
        {
          request,
          message: `rule ${request.ruleId} stays in force until a different admin confirms restore request ${request.id}`,
          confirm: pathTo(ROUTES.confirmRestoreRequest, { id: request.id }),
        },
        202,
      );
    }
    return context.json({ lift: result.lift, version: result.version, replacement: result.replacement });
  });
}
