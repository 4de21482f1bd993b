import { ROUTES, sseFrame } from '@estop/client';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { startEventStream } from './sse-stream.js';

function frame(event: string, data: unknown): string {
  return sseFrame({ event, data });
}

/**
 * `GET /v1/events`: names of what changed (`rules`, `approvals`, …), for operator views to fetch
 * again, and a keep-alive whenever the stream has been quiet for the keep-alive interval, so a
 * view can tell a quiet control plane from a lost one.
 */
export function eventRoutes(
  app: Hono<AppEnv>,
  deps: Pick<AppDeps, 'sessions' | 'clock' | 'events' | 'keepAliveMs'>,
): void {
  app.get(ROUTES.events.path, (context) => {
    const principal = authorize(context, 'viewer');
    const response = context.env.outgoing;
    startEventStream(response);
    // Revoking the token ends the stream (TokenSessions).
    deps.sessions.hold(principal, response);
    response.write(frame('keep-alive', { at: new Date(deps.clock.now()).toISOString() }));
    let lastWrite = Date.now();
    const unsubscribe = deps.events.subscribe((topic) => {
      response.write(frame(topic, { at: new Date(deps.clock.now()).toISOString() }));
      lastWrite = Date.now();
    });
    const timer = setInterval(
      () => {
        if (Date.now() - lastWrite < deps.keepAliveMs - 5) return;
        response.write(frame('keep-alive', { at: new Date(deps.clock.now()).toISOString() }));
        lastWrite = Date.now();
      },
      Math.max(10, Math.floor(deps.keepAliveMs / 2)),
    );
    timer.unref();
    const close = () => {
      clearInterval(timer);
      unsubscribe();
    };
    response.on('close', close);
    response.on('error', close);
    // Gone while being authorized: 'close' has been emitted already.
    if (response.destroyed) close();
    return RESPONSE_ALREADY_SENT;
  });
}
