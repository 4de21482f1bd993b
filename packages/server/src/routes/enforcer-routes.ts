import { AckBatchSchema, AckSchema, EnforcerRegistrationSchema, EstopError } from '@estop/core';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole } from '../principal.js';
import { readBody, readQuery } from '../read-input.js';

const WaitQuery = z.object({ wait: z.coerce.number().int().min(0).max(60_000).default(0) });
const VersionParam = z.coerce.number().int().nonnegative();

/** Enforcer registration and acknowledgements, and the question "is version N enforced?". */
export function enforcerRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post('/v1/enforcers', async (context) => {
    requireRole(context.get('principal'), 'enforcer');
    const registration = await readBody(context, EnforcerRegistrationSchema);
    return context.json(deps.registry.register(registration), 201);
  });

  app.post('/v1/enforcers/:id/ack', async (context) => {
    requireRole(context.get('principal'), 'enforcer');
    const { version, inFlight } = await readBody(context, AckSchema);
    if (!deps.registry.ack(context.req.param('id'), version, inFlight)) {
      throw new EstopError({ code: 'not_found', message: `enforcer ${context.req.param('id')} is not registered` });
    }
    return context.body(null, 204);
  });

  app.post('/v1/enforcers/acks', async (context) => {
    requireRole(context.get('principal'), 'enforcer');
    const { acks } = await readBody(context, AckBatchSchema);
    const unknown = acks.filter((ack) => !deps.registry.ack(ack.id, ack.version, ack.inFlight)).map((ack) => ack.id);
    return context.json({ unknown });
  });

  app.get('/v1/enforcers', async (context) => {
    requireRole(context.get('principal'), 'viewer');
    const version = deps.hub.snapshot().version;
    const enforcers = (await deps.registry.list()).map((record) => ({ ...record, current: record.version >= version }));
    return context.json({ version, enforcers });
  });

  app.get('/v1/versions/:version/enforcement', async (context) => {
    requireRole(context.get('principal'), 'viewer');
    const version = VersionParam.safeParse(context.req.param('version'));
    if (!version.success) throw new EstopError({ code: 'invalid_request', message: 'version must be a whole number' });
    const { wait } = readQuery(context, WaitQuery);
    return context.json(await deps.registry.waitFor(version.data, wait));
  });
}
