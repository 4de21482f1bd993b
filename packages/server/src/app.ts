import { EstopError, isEstopError } from '@estop/core';
import { Hono, type Context } from 'hono';
import type { AppDeps, AppEnv } from './app-env.js';
import { bodyLimit, DEFAULT_BODY_LIMIT_BYTES } from './http/body-limit.js';
import { createAuthFailureLimiter, rateLimitedError, type AuthFailureLimiter } from './tokens/auth-failure-limiter.js';
import type { Authenticator } from './tokens/authenticator.js';
import { checkPathSegments } from './http/path-segments.js';
import { problemResponse, publicError, toEstopError } from './http/problem.js';
import type { Logger } from './logger.js';
import { isRefusedChange, refusedChangeDraft } from './audit/refused-change.js';
import { approvalRoutes } from './approvals/approval-routes.js';
import { auditRoutes } from './audit/audit-routes.js';
import { dashboardRoutes } from './http/dashboard-routes.js';
import { draftRoutes } from './drafts/draft-routes.js';
import { drillRoutes } from './drills/drill-routes.js';
import { enforcerRoutes } from './enforcers/enforcer-routes.js';
import { eventRoutes } from './stream/event-routes.js';
import { sentinelRoutes } from './sentinels/sentinel-routes.js';
import { healthRoutes } from './http/health-routes.js';
import { idempotencyRoutes } from './idempotency/idempotency-routes.js';
import { notifyRoutes } from './notify/notify-routes.js';
import { hookRoutes } from './triggers/hook-routes.js';
import { restoreRoutes } from './restores/restore-routes.js';
import { ruleRoutes } from './rules/rule-routes.js';
import { runRoutes } from './runs/run-routes.js';
import { stateRoutes } from './stream/state-routes.js';
import { tokenRoutes } from './tokens/token-routes.js';

/** The address a request came from; in-process requests (no socket) share one. */
function sourceOf(context: Context<AppEnv>): string {
  return (context.env as Partial<AppEnv['Bindings']> | undefined)?.incoming?.socket.remoteAddress ?? 'in-process';
}

/** Bounds on what one request may carry. */
export interface RequestLimits {
  /** The largest request body, in bytes, on every endpoint. */
  bodyBytes: number;
}

/**
 * The control plane's HTTP API as a Hono app. Failed authentications are counted per source
 * address by `limiter` (default: more than 20 within 60 s answers 429 until the window passes).
 * Bodies over `limits.bodyBytes` are refused with 413 and paths that are not ids with 400,
 * before authentication and before any route.
 */
export function createApp(
  deps: AppDeps,
  authenticator: Authenticator,
  logger: Logger,
  limits: RequestLimits = { bodyBytes: DEFAULT_BODY_LIMIT_BYTES },
  limiter: AuthFailureLimiter = createAuthFailureLimiter({ clock: deps.clock }),
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (context, next) => {
    await next();
    deps.metrics.requests.inc({ code: String(context.res.status) });
  });
  app.use('*', bodyLimit(limits.bodyBytes));
  app.use('/v1/*', checkPathSegments);
  app.use('/v1/*', async (context, next) => {
    try {
      context.set('principal', await authenticator.authenticate(context.req.header('authorization')));
    } catch (error) {
      const retryAfterMs = isEstopError(error, 'unauthorized') ? limiter.recordFailure(sourceOf(context)) : undefined;
      throw retryAfterMs === undefined ? error : rateLimitedError(retryAfterMs);
    }
    await next();
  });

  healthRoutes(app, deps);
  stateRoutes(app, deps);
  ruleRoutes(app, deps);
  restoreRoutes(app, deps);
  runRoutes(app, deps);
  enforcerRoutes(app, deps);
  auditRoutes(app, deps);
  tokenRoutes(app, deps);
  approvalRoutes(app, deps);
  draftRoutes(app, deps);
  idempotencyRoutes(app, deps);
  eventRoutes(app, deps);
  sentinelRoutes(app, deps);
  notifyRoutes(app, deps);
  hookRoutes(app, deps);
  drillRoutes(app, deps);
  dashboardRoutes(app);

  app.notFound((context) =>
    problemResponse(
      new EstopError({ code: 'not_found', message: `no route ${context.req.method} ${context.req.path}` }),
    ),
  );
  app.onError(async (error, context) => {
    const estopError = toEstopError(error);
    const shown = publicError(estopError);
    if (shown !== estopError) {
      logger.error('request failed', { path: context.req.path, error: String(error), stack: (error as Error).stack });
    }
    const { method, path } = context.req;
    if (isRefusedChange(method, path, estopError)) {
      const at = new Date(deps.clock.now()).toISOString();
      const principal = context.get('principal') as AppEnv['Variables']['principal'] | undefined;
      await deps.audit
        .append(refusedChangeDraft({ at, method, path, error: estopError, principal }))
        .then(() => deps.events.notify('audit'))
        .catch((auditError: unknown) =>
          logger.error('auditing a refused change failed', { error: String(auditError) }),
        );
    }
    const response = problemResponse(shown);
    const retryAfter = estopError.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') response.headers.set('retry-after', String(retryAfter));
    return response;
  });
  return app;
}
