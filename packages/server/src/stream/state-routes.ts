import { ROUTES } from '@estop/client';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { EnforcerRegistrationSchema, EstopError, LastEventIdSchema } from '@estop/core';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { canSee, requireRole, type Principal } from '../tokens/principal.js';
import { readBody, readQuery } from '../http/read-input.js';
import { serveStateStream } from './sse-stream.js';

function requireStateReader(principal: Principal): void {
  if (principal.role !== 'enforcer') requireRole(principal, 'viewer');
}

const StreamQuery = z.object({ enforcer: z.string().min(1).max(100).optional() });

type StreamDeps = Pick<AppDeps, 'hub' | 'history' | 'registry' | 'events' | 'sessions' | 'keepAliveMs' | 'view'>;

/**
 * The state snapshot and the stream of versioned changes that enforcers follow: opened by an
 * enforcer registered before (`GET /v1/stream?enforcer=ID`) or, in one request, by the
 * enforcer's registration itself (`POST /v1/enforcers/:id/stream`), which is how an enforcer
 * that lost its replica costs the next one a single request.
 */
export function stateRoutes(app: Hono<AppEnv>, deps: StreamDeps & Pick<AppDeps, 'enforcers'>): void {
  app.get(ROUTES.state.path, (context) => {
    const principal = context.get('principal');
    requireStateReader(principal);
    const snapshot = deps.hub.snapshot();
    return context.json({ ...snapshot, rules: snapshot.rules.filter((rule) => canSee(principal, rule.scope)) });
  });

  app.get(ROUTES.stream.path, (context) => {
    const principal = context.get('principal');
    requireStateReader(principal);
    const { enforcer } = readQuery(context, StreamQuery);
    if (enforcer !== undefined && !deps.registry.owns(enforcer, principal.id)) {
      throw new EstopError({
        code: 'not_found',
        message: `enforcer ${enforcer} is not registered by this token; POST /v1/enforcers first`,
      });
    }
    return openStateStream(context, deps, principal, enforcer);
  });

  app.post(ROUTES.connectEnforcer.path, async (context) => {
    // As POST /v1/enforcers: the role first, then the body, then the registration's checks.
    const principal = authorize(context, 'enforcer');
    const registration = await readBody(context, EnforcerRegistrationSchema);
    if (registration.id !== context.req.param('id')) {
      throw new EstopError({
        code: 'invalid_request',
        message: `body: id ${registration.id} is not the enforcer of the path, ${context.req.param('id')}`,
      });
    }
    await deps.enforcers.register(principal, registration);
    return openStateStream(context, deps, principal, registration.id);
  });
}

/**
 * Answers the state stream for the principal, resuming from the request's `Last-Event-ID` when
 * it names a version; with `enforcer` (registered by the principal here), the enforcer counts as
 * connected while the stream is open.
 */
function openStateStream(
  context: Context<AppEnv>,
  deps: StreamDeps,
  principal: Principal,
  enforcer: string | undefined,
): typeof RESPONSE_ALREADY_SENT {
  // The version the client holds: an id this control plane sent, else ignored (a snapshot is sent).
  const lastEventId = LastEventIdSchema.safeParse(context.req.header('last-event-id') ?? '');
  const release = enforcer === undefined ? undefined : deps.registry.connect(enforcer);
  // Operator views show who is connected: tell them when an enforcer comes and goes.
  if (release !== undefined) deps.events.notify('enforcers');
  const disconnect = () => {
    if (release === undefined) return;
    release();
    deps.events.notify('enforcers');
  };
  // Revoking the token ends the stream (TokenSessions).
  deps.sessions.hold(principal, context.env.outgoing);
  serveStateStream({
    response: context.env.outgoing,
    hub: deps.hub,
    history: deps.history,
    principal,
    keepAliveMs: deps.keepAliveMs,
    resumeFrom: lastEventId.success ? lastEventId.data : undefined,
    view: deps.view,
    onClose: disconnect,
  });
  return RESPONSE_ALREADY_SENT;
}
