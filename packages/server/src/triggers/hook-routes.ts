import { ROUTES } from '@estop/client';
import type { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { authorize } from '../http/authorize.js';
import { readBody } from '../http/read-input.js';
import { AlertmanagerPayloadSchema } from './alertmanager-payload.js';
import type { TriggerService } from './trigger-service.js';

/**
 * Alertmanager's webhook: with a `hook` token (which may do nothing else), its firing alerts
 * create the configured triggers' rules, once each, and its resolved ones are recorded on them.
 */
export function hookRoutes(app: Hono<AppEnv>, deps: { triggers: TriggerService }): void {
  app.post(ROUTES.alertmanagerHook.path, async (context) => {
    const principal = authorize(context, 'hook');
    const payload = await readBody(context, AlertmanagerPayloadSchema);
    return context.json({ alerts: await deps.triggers.handle(principal, payload.alerts) });
  });
}
