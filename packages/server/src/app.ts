import { EstopError } from '@estop/core';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from './app-env.js';
import type { Authenticator } from './authenticator.js';
import { problemResponse, toEstopError } from './problem.js';
import { auditRoutes } from './routes/audit-routes.js';
import { enforcerRoutes } from './routes/enforcer-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { ruleRoutes } from './routes/rule-routes.js';
import { runRoutes } from './routes/run-routes.js';
import { stateRoutes } from './routes/state-routes.js';
import { tokenRoutes } from './routes/token-routes.js';

/** Logs what the server does; JSON lines in production, silent in tests. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The control plane's HTTP API as a Hono app. */
export function createApp(deps: AppDeps, authenticator: Authenticator, logger: Logger): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (context, next) => {
    await next();
    deps.metrics.requests.inc({ code: String(context.res.status) });
  });
  app.use('/v1/*', async (context, next) => {
    context.set('principal', await authenticator.authenticate(context.req.header('authorization')));
    await next();
  });

  healthRoutes(app, deps);
  stateRoutes(app, deps);
  ruleRoutes(app, deps);
  runRoutes(app, deps);
  enforcerRoutes(app, deps);
  auditRoutes(app, deps);
  tokenRoutes(app, deps);

  app.notFound((context) =>
    problemResponse(
      new EstopError({ code: 'not_found', message: `no route ${context.req.method} ${context.req.path}` }),
    ),
  );
  app.onError((error, context) => {
    const estopError = toEstopError(error);
    if (estopError.code === 'internal') {
      logger.error('request failed', { path: context.req.path, error: String(error), stack: (error as Error).stack });
    }
    return problemResponse(estopError);
  });
  return app;
}
