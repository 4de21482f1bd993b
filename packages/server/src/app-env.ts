import type { HttpBindings } from '@hono/node-server';
import type { Clock, SentinelSpec, Store } from '@estop/core';
import type { ApprovalService } from './approvals/approval-service.js';
import type { AuditAggregator } from './audit/audit-aggregator.js';
import type { AuditWriter } from './audit/audit-writer.js';
import type { ChangeHub } from './stream/change-hub.js';
import type { EnforcerRegistry } from './enforcers/enforcer-registry.js';
import type { IdempotencyService } from './idempotency/idempotency-service.js';
import type { Metrics } from './http/metrics.js';
import type { OperatorEvents } from './stream/operator-events.js';
import type { Principal } from './tokens/principal.js';
import type { RestoreService } from './restores/restore-service.js';
import type { RuleService } from './rules/rule-service.js';
import type { RunRegistry } from './runs/run-registry.js';
import type { TokenService } from './tokens/token-service.js';
import type { TokenSessions } from './tokens/token-sessions.js';

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
  approvals: ApprovalService;
  /** Minting, revoking and governing tokens. */
  tokens: TokenService;
  /** The streams each token holds open, ended when it is revoked. */
  sessions: TokenSessions;
  idempotency: IdempotencyService;
  /** Counts of blocked calls and suppressed duplicates, appended to the audit log per interval. */
  aggregator: AuditAggregator;
  metrics: Metrics;
  /** Announces changes to operator views (`GET /v1/events`). */
  events: OperatorEvents;
  keepAliveMs: number;
  /** The configured automatic trips. */
  sentinels: readonly SentinelSpec[];
  /** Answers the readiness probe: resolves when the store answers. */
  ready: () => Promise<number>;
}
