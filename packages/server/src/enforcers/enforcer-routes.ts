import { ROUTES } from '@estop/client';
import { AckBatchSchema, AckSchema, BlockReportSchema, EnforcerRegistrationSchema, EstopError } from '@estop/core';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { createRoute } from '../http/create-route.js';
import { paginate, PageQuerySchema } from '../http/pagination.js';
import { readBody, readQuery } from '../http/read-input.js';

const EnforcementQuery = z.object({
  wait: z.coerce.number().int().min(0).max(60_000).default(0),
  /** A rule created at the version: the answer then says how far it has reached the runs it stops. */
  rule: z.string().min(1).max(200).optional(),
});
const VersionParam = z.coerce.number().int().nonnegative();

/** Enforcer registration, deregistration and acknowledgements, and the question "is version N enforced?". */
export function enforcerRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'enforcers'>): void {
  createRoute(app, ROUTES.registerEnforcer.path, 'enforcer', EnforcerRegistrationSchema, (principal, registration) =>
    deps.enforcers.register(principal, registration),
  );

  app.post(ROUTES.acknowledge.path, async (context) => {
    const principal = authorize(context, 'enforcer');
    const { version, inFlight } = await readBody(context, AckSchema);
    deps.enforcers.ack(principal, { id: context.req.param('id'), version, inFlight });
    return context.body(null, 204);
  });

  app.delete(ROUTES.deregisterEnforcer.path, async (context) => {
    const principal = authorize(context, 'enforcer');
    await deps.enforcers.deregister(principal, context.req.param('id'));
    return context.body(null, 204);
  });

  app.post(ROUTES.reportBlocks.path, async (context) => {
    const principal = authorize(context, 'enforcer');
    const report = await readBody(context, BlockReportSchema);
    await deps.enforcers.reportBlocks(principal, context.req.param('id'), report);
    return context.body(null, 202);
  });

  app.post(ROUTES.acknowledgeMany.path, async (context) => {
    const principal = authorize(context, 'enforcer');
    const { acks } = await readBody(context, AckBatchSchema);
    return context.json({ unknown: deps.enforcers.ackAll(principal, acks) });
  });

  app.get(ROUTES.listEnforcers.path, async (context) => {
    const principal = authorize(context, 'viewer');
    const query = readQuery(context, PageQuerySchema);
    const { version, enforcers } = await deps.enforcers.list(principal);
    const page = paginate(enforcers, (record) => record.id, query);
    return context.json({ version, enforcers: page.items, nextCursor: page.nextCursor });
  });

  app.get(ROUTES.enforcement.path, async (context) => {
    const principal = authorize(context, 'viewer');
    const version = VersionParam.safeParse(context.req.param('version'));
    if (!version.success) throw new EstopError({ code: 'invalid_request', message: 'version must be a whole number' });
    const { wait, rule } = readQuery(context, EnforcementQuery);
    return context.json(await deps.enforcers.enforcement(principal, version.data, wait, rule));
  });
}
