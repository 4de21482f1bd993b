import { ROUTES } from '@estop/client';
import type { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { createRoute } from '../http/create-route.js';
import { DrillReportSchema, type DrillService } from './drill-service.js';

/** `estop drill` reports what it found; the report is audited (a failed drill is notified). */
export function drillRoutes(app: Hono<AppEnv>, deps: { drills: DrillService }): void {
  createRoute(app, ROUTES.recordDrill.path, 'admin', DrillReportSchema, async (principal, report) => ({
    entry: await deps.drills.record(principal, report),
  }));
}
