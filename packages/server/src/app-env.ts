import type { HttpBindings } from '@hono/node-server';
import type { Clock, NotificationStore, SentinelSpec } from '@estop/core';
import type { ApprovalService } from './approvals/approval-service.js';
import type { AuditService } from './audit/audit-service.js';
import type { AuditWriter } from './audit/audit-writer.js';
import type { ChangeHub } from './stream/change-hub.js';
import type { StateHistory } from './stream/state-history.js';
import type { ViewFreshness } from './stream/view-freshness.js';
import type { DraftService } from './drafts/draft-service.js';
import type { DrillService } from './drills/drill-service.js';
import type { EnforcerRegistry } from './enforcers/enforcer-registry.js';
import type { EnforcerService } from './enforcers/enforcer-service.js';
import type { IdempotencyService } from './idempotency/idempotency-service.js';
import type { Metrics } from './http/metrics.js';
import type { Notifier } from './notify/notifier.js';
import type { OperatorEvents } from './stream/operator-events.js';
import type { Principal } from './tokens/principal.js';
import type { RestoreService } from './restores/restore-service.js';
import type { RuleService } from './rules/rule-service.js';
import type { SentinelViews } from './sentinels/sentinel-views.js';
import type { RunService } from './runs/run-service.js';
import type { TokenService } from './tokens/token-service.js';
import type { TokenSessions } from './tokens/token-sessions.js';
import type { TriggerService } from './triggers/trigger-service.js';

/** Hono's environment for the control plane: Node bindings and the authenticated principal. */
export interface AppEnv {
  Bindings: HttpBindings;
  Variables: { principal: Principal };
}

/**
 * The services the routes call, built once by the composition root. Each route module takes
 * only the ones it uses (`Pick<AppDeps, …>`); no route reaches the store.
 */
export interface AppDeps {
  clock: Clock;
  hub: ChangeHub;
  /** Past versions' changes, for streams that resume from the version their client holds. */
  history: StateHistory;
  /** Which enforcers are connected here, for the state stream and the metrics. */
  registry: EnforcerRegistry;
  enforcers: EnforcerService;
  rules: RuleService;
  restoreRequests: RestoreService;
  runs: RunService;
  drafts: DraftService;
  /** Appends entries (refused changes) to the audit log. */
  audit: AuditWriter;
  /** Reads and verifies the audit log. */
  auditLog: AuditService;
  approvals: ApprovalService;
  /** Minting, revoking and governing tokens. */
  tokens: TokenService;
  /** The streams each token holds open, ended when it is revoked. */
  sessions: TokenSessions;
  idempotency: IdempotencyService;
  metrics: Metrics;
  /** Announces changes to operator views (`GET /v1/events`). */
  events: OperatorEvents;
  keepAliveMs: number;
  /** Whether this replica's view of the store is current, which streams and enforcement answers require. */
  view: ViewFreshness;
  /** The configured automatic trips. */
  sentinels: readonly SentinelSpec[];
  /** The sentinels as operators see them: enforcing or in shadow, peaks, standing trips. */
  sentinelViews: SentinelViews;
  /** Queues and delivers notifications; its receivers, for `GET /v1/notify`. */
  notifier: Notifier;
  /** The outbox, read for `GET /v1/notify`. */
  notifications: Pick<NotificationStore, 'list' | 'summary'>;
  /** Alerts that pull the switch. */
  triggers: TriggerService;
  /** Drills on the record. */
  drills: DrillService;
  /** Answers the readiness probe: resolves when the store answers. */
  ready: () => Promise<number>;
}
