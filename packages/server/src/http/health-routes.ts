import { EstopError } from '@estop/core';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
/** Liveness, readiness and Prometheus metrics; no token needed. */
export function healthRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'ready' | 'hub' | 'metrics' | 'registry'>): void {
  app.get('/healthz', (context) => context.json({ status: 'ok' }));
  app.get('/readyz', async (context) => {
    try {
      const version = await deps.ready();
      return context.json({ status: 'ready', version });
    } catch (error) {
      throw new EstopError({ code: 'unavailable', message: 'the store does not answer', cause: error });
    }
  });
  app.get('/metrics', async (context) => {
    const snapshot = deps.hub.snapshot();
    deps.metrics.rulesActive.set(snapshot.rules.length);
    deps.metrics.stateVersion.set(snapshot.version);
    deps.metrics.enforcersConnected.set(deps.registry.connectedCount());
    return context.text(await deps.metrics.registry.metrics(), 200, {
      'content-type': deps.metrics.registry.contentType,
    });
  });
}
