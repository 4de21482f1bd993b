import { AckBatchSchema, AckSchema, BlockReportSchema, EnforcerRegistrationSchema, EstopError } from '@estop/core';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../app-env.js';
import { canSee, requireRole, requireScopeWithinTenant } from '../tokens/principal.js';
import { paginate, PageQuerySchema } from '../http/pagination.js';
import { readBody, readQuery } from '../http/read-input.js';
import { findRule, requireReportableRule } from '../rules/reportable-rule.js';

const EnforcementQuery = z.object({
  wait: z.coerce.number().int().min(0).max(60_000).default(0),
  /** A rule created at the version: the answer then says how far it has reached the runs it stops. */
  rule: z.string().min(1).max(200).optional(),
});
const VersionParam = z.coerce.number().int().nonnegative();

/** Enforcer registration and acknowledgements, and the question "is version N enforced?". */
export function enforcerRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post('/v1/enforcers', async (context) => {
    requireRole(context.get('principal'), 'enforcer');
    const registration = await readBody(context, EnforcerRegistrationSchema);
    const principal = context.get('principal');
    await deps.registry.requireRegistrable(registration.id, principal.tenant);
    const record = deps.registry.register(registration, principal.id, principal.tenant);
    deps.events.notify('enforcers');
    return context.json(record, 201);
  });

  app.post('/v1/enforcers/:id/ack', async (context) => {
    requireRole(context.get('principal'), 'enforcer');
    const { version, inFlight } = await readBody(context, AckSchema);
    if (!deps.registry.ack(context.req.param('id'), version, inFlight, context.get('principal').id)) {
      throw new EstopError({
        code: 'not_found',
        message: `enforcer ${context.req.param('id')} is not registered by this token`,
      });
    }
    deps.events.notify('enforcers');
    return context.body(null, 204);
  });

  app.post('/v1/enforcers/:id/blocks', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'enforcer');
    const report = await readBody(context, BlockReportSchema);
    const id = context.req.param('id');
    // Like acknowledgements: only the token that registered the enforcer reports for it.
    if (!deps.registry.owns(id, principal.id)) {
      throw new EstopError({ code: 'not_found', message: `enforcer ${id} is not registered by this token` });
    }
    // Each count is checked against the reporting token: a tenant's token reports its own tenant's
    // calls (a count naming no tenant is its tenant's), against rules that can cover them; an
    // unbound token's count against a tenant's rule is that tenant's.
    const counts = [];
    for (const count of report.counts) {
      let tenant = count.tenant ?? principal.tenant;
      if (tenant !== undefined) requireScopeWithinTenant(principal, { tenant });
      if (count.ruleId !== undefined) {
        const rule = await requireReportableRule(deps, principal, count.ruleId, tenant);
        tenant ??= rule.scope.tenant;
      }
      counts.push(tenant === undefined ? count : { ...count, tenant });
    }
    deps.aggregator.blocks(principal.name, id, { ...report, counts });
    return context.body(null, 202);
  });

  app.post('/v1/enforcers/acks', async (context) => {
    requireRole(context.get('principal'), 'enforcer');
    const { acks } = await readBody(context, AckBatchSchema);
    const owner = context.get('principal').id;
    const unknown = acks
      .filter((ack) => !deps.registry.ack(ack.id, ack.version, ack.inFlight, owner))
      .map((ack) => ack.id);
    deps.events.notify('enforcers');
    return context.json({ unknown });
  });

  app.get('/v1/enforcers', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'viewer');
    const query = readQuery(context, PageQuerySchema);
    const version = deps.hub.snapshot().version;
    const enforcers = (await deps.registry.list(principal.tenant)).map((record) => ({
      ...record,
      current: record.version >= version,
    }));
    const page = paginate(enforcers, (record) => record.id, query);
    return context.json({ version, enforcers: page.items, nextCursor: page.nextCursor });
  });

  app.get('/v1/versions/:version/enforcement', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'viewer');
    const version = VersionParam.safeParse(context.req.param('version'));
    if (!version.success) throw new EstopError({ code: 'invalid_request', message: 'version must be a whole number' });
    const { wait, rule: ruleId } = readQuery(context, EnforcementQuery);
    // A tenant's token counts its tenant's enforcers only, as GET /v1/enforcers lists them.
    const enforcement = await deps.registry.waitFor(version.data, wait, principal.tenant);
    if (ruleId === undefined) return context.json(enforcement);
    const rule = await findRule(deps, ruleId);
    if (rule === undefined || !canSee(principal, rule.scope)) {
      throw new EstopError({ code: 'rule_not_found', message: `no rule ${ruleId}` });
    }
    // A tenant's token counts only its tenant's runs, even under a global rule.
    return context.json({ ...enforcement, runs: deps.runs.enforcement(rule, principal.tenant) });
  });
}
