import { EstopError, LiftInputSchema, RuleInputSchema } from '@estop/core';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { canSee, requireRole } from '../tokens/principal.js';
import { paginate, PageQuerySchema } from '../http/pagination.js';
import { readBody, readQuery } from '../http/read-input.js';

/** Flip (create), list and lift rules. */
export function ruleRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/v1/rules', (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'viewer');
    const query = readQuery(context, PageQuerySchema);
    const snapshot = deps.hub.snapshot();
    const visible = snapshot.rules.filter((rule) => canSee(principal, rule.scope));
    const page = paginate(visible, (rule) => rule.id, query);
    return context.json({ version: snapshot.version, rules: page.items, nextCursor: page.nextCursor });
  });

  app.get('/v1/rules/:id', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'viewer');
    const record = await deps.store.rules.get(context.req.param('id'));
    if (record === undefined || !canSee(principal, record.rule.scope)) {
      throw new EstopError({ code: 'rule_not_found', message: `no rule ${context.req.param('id')}` });
    }
    return context.json(record);
  });

  app.post('/v1/rules', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'operator');
    const input = await readBody(context, RuleInputSchema);
    return context.json(await deps.rules.create(principal, input), 201);
  });

  app.post('/v1/rules/:id/lift', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'admin');
    const { reason, to } = await readBody(context, LiftInputSchema);
    const result = await deps.rules.lift(principal, context.req.param('id'), reason, to);
    if (result.outcome === 'requested') {
      const { request } = result;
      return context.json(
        {
          request,
          message: `rule ${request.ruleId} stays in force until a different admin confirms restore request ${request.id}`,
          confirm: `/v1/restore-requests/${request.id}/confirm`,
        },
        202,
      );
    }
    return context.json({ lift: result.lift, version: result.version, replacement: result.replacement });
  });
}
