import { ROUTES } from '@estop/client';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { EstopError, LastEventIdSchema } from '@estop/core';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../app-env.js';
import { canSee, requireRole, type Principal } from '../tokens/principal.js';
import { readQuery } from '../http/read-input.js';
import { serveStateStream } from './sse-stream.js';

function requireStateReader(principal: Principal): void {
  if (principal.role !== 'enforcer') requireRole(principal, 'viewer');
}

const StreamQuery = z.object({ enforcer: z.string().min(1).max(100).optional() });

/** The state snapshot and the stream of versioned changes that enforcers follow. */
export function stateRoutes(
  app: Hono<AppEnv>,
  deps: Pick<AppDeps, 'hub' | 'history' | 'registry' | 'events' | 'sessions' | 'keepAliveMs' | 'view'>,
): void {
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
    // The version the client holds: an id this control plane sent, else ignored (a snapshot is sent).
    const lastEventId = LastEventIdSchema.safeParse(context.req.header('last-event-id') ?? '');
    if (enforcer !== undefined && !deps.registry.owns(enforcer, principal.id)) {
      throw new EstopError({
        code: 'not_found',
        message: `enforcer ${enforcer} is not registered by this token; POST /v1/enforcers first`,
      });
    }
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
  });
}
