import type { HttpBindings } from '@hono/node-server';
import type { Clock, Store } from '@estop/core';
import type { AuditWriter } from './audit-writer.js';
import type { ChangeHub } from './change-hub.js';
import type { EnforcerRegistry } from './enforcer-registry.js';
import type { Metrics } from './metrics.js';
import type { OperatorEvents } from './operator-events.js';
import type { Principal } from './principal.js';
import type { RestoreService } from './restore-service.js';
import type { RuleService } from './rule-service.js';
import type { RunRegistry } from './run-registry.js';

/** Hono's environment for the control plane: Node bindings and the authenticated principal. */
export interface AppEnv {
  Bindings: HttpBindings;
  Variables: { principal: Principal };
}

/** Everything the routes need, built once by the composition root. */
export interface AppDeps {
  store: Store;
  clock: Clock;
  hub: ChangeHub;
  registry: EnforcerRegistry;
  rules: RuleService;
  restoreRequests: RestoreService;
  runs: RunRegistry;
  audit: AuditWriter;
  metrics: Metrics;
  /** Announces changes to operator views (`GET /v1/events`). */
  events: OperatorEvents;
  keepAliveMs: number;
  /** Answers the readiness probe: resolves when the store answers. */
  ready: () => Promise<number>;
}
