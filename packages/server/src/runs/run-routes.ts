import { ROUTES } from '@estop/client';
import { RunEndSchema, RunHeartbeatSchema, RunIdSchema, RunKillSchema, RunStartSchema, EstopError } from '@estop/core';
import type { Context, Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { createRoute } from '../http/create-route.js';
import { listRoute } from '../http/list-route.js';
import { readBody } from '../http/read-input.js';

function runId(context: Context<AppEnv>): string {
  const id = context.req.param('id') ?? '';
  if (!RunIdSchema.safeParse(id).success) throw new EstopError({ code: 'invalid_request', message: 'not a run id' });
  return id;
}

/** Runs: enforcers register, report and end them; operators list and kill them. */
export function runRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'runs'>): void {
  createRoute(app, ROUTES.startRun.path, 'enforcer', RunStartSchema, (principal, start) =>
    deps.runs.start(principal, start),
  );

  app.post(ROUTES.runHeartbeat.path, async (context) => {
    const principal = authorize(context, 'enforcer');
    const id = runId(context);
    await deps.runs.heartbeat(principal, id, await readBody(context, RunHeartbeatSchema));
    return context.body(null, 204);
  });

  app.post(ROUTES.endRun.path, async (context) => {
    const principal = authorize(context, 'enforcer');
    const id = runId(context);
    await deps.runs.end(principal, id, await readBody(context, RunEndSchema));
    return context.body(null, 204);
  });

  listRoute(app, ROUTES.listRuns.path, 'viewer', 'runs', (principal) => deps.runs.list(principal));

  app.post(ROUTES.killRun.path, async (context) => {
    const principal = authorize(context, 'operator');
    const id = runId(context);
    const { reason } = await readBody(context, RunKillSchema);
    return context.json(await deps.runs.kill(principal, id, reason), 201);
  });
}
