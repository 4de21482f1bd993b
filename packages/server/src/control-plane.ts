import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import {
  createMemorySentinelCounter,
  systemClock,
  toMicroUsd,
  type Clock,
  type Effect,
  type IdempotencyStore,
  type Mode,
  type SentinelCounter,
  type SentinelSpec,
  type Store,
} from '@estop/core';
import { createApp } from './app.js';
import type { AppDeps } from './app-env.js';
import { ApprovalService } from './approvals/approval-service.js';
import { AuditAggregator } from './audit/audit-aggregator.js';
import { AuditService } from './audit/audit-service.js';
import { AuditWriter } from './audit/audit-writer.js';
import { createAuthenticator } from './tokens/authenticator.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './http/body-limit.js';
import { createChangeHub } from './stream/change-hub.js';
import { createStateHistory } from './stream/state-history.js';
import { DraftService } from './drafts/draft-service.js';
import { EnforcerRegistry } from './enforcers/enforcer-registry.js';
import { EnforcerService } from './enforcers/enforcer-service.js';
import { createHttpServer, listenOn } from './http/http-listener.js';
import { IdempotencyService } from './idempotency/idempotency-service.js';
import { silentLogger, type Logger } from './logger.js';
import { createMetrics } from './http/metrics.js';
import { OperatorEvents } from './stream/operator-events.js';
import { DrillService } from './drills/drill-service.js';
import { startHousekeeping } from './housekeeping.js';
import { watchEnforcementLag } from './notify/enforcement-lag.js';
import { createNotifier } from './notify/notifier.js';
import type { TriggerSpec } from './notify/notify-config.js';
import { createNotifyCounters } from './notify/notify-metrics.js';
import type { Receiver } from './notify/receiver.js';
import type { RetryPolicy } from './notify/retry-delay.js';
import { createTriggerService } from './triggers/trigger-service.js';
import { startReplicaSync } from './stream/replica-sync.js';
import { createViewFreshness, DEFAULT_VIEW_STALE_AFTER_MS } from './stream/view-freshness.js';
import { DEFAULT_RESTORE_POLICY, type RestorePolicy } from './restores/restore-policy.js';
import { createRestoreService } from './restores/restore-service.js';
import { createRuleService, type RuleService } from './rules/rule-service.js';
import { createRuleStarts } from './rules/rule-starts.js';
import { RunRegistry } from './runs/run-registry.js';
import { RunService } from './runs/run-service.js';
import { SharedRuns } from './runs/shared-runs.js';
import { createSentinelHeat } from './sentinels/sentinel-heat.js';
import { SentinelObservations } from './sentinels/sentinel-observations.js';
import { SentinelService } from './sentinels/sentinel-service.js';
import { createSentinelViews } from './sentinels/sentinel-views.js';
import { TokenService } from './tokens/token-service.js';
import { TokenSessions, watchRevocations } from './tokens/token-sessions.js';

/** What a control plane is built from; tests pass fakes, `estop serve` passes real parts. */
export interface ControlPlaneOptions {
  store: Store;
  clock?: Clock;
  logger?: Logger;
  /** A token that is always an admin, from ESTOP_ADMIN_TOKEN. */
  adminToken?: string | undefined;
  /** Tool effects known to the control plane, pushed to every enforcer. */
  tools?: Record<string, Effect>;
  /** The mode of a stop that names none. Default `read_only`: disable writes first. */
  defaultMode?: Mode;
  /** How often a quiet stream sends a keep-alive. Default 5000. */
  keepAliveMs?: number;
  /** How often expired rules are looked for. Default 1000. */
  expiryCheckMs?: number;
  /**
   * How often to look for changes committed by other control-plane processes on the same
   * store. Default 1000; stores that announce commits (PostgreSQL) are followed at once too.
   */
  replicaPollMs?: number;
  /**
   * How long this replica vouches for its view of the store after the start of its last
   * successful read of it. Past that (its reads fail or queue up, it was frozen), its enforcer
   * streams end and send no keep-alive, and its enforcement and readiness answers are 503, so
   * that enforcers move to a replica that is current. Keep it well under the enforcers'
   * staleness bound. Default 3000; the replica reads the store at least twice within it.
   */
  viewStaleAfterMs?: number;
  /**
   * Which lifts need a second admin and how long a rule must stand before a lift. Default:
   * global rules and full stops need a second admin; no cooldown.
   */
  restore?: Partial<RestorePolicy> | undefined;
  /**
   * Where idempotency keys live. Default: the store's own (shared by every replica on it);
   * `estop serve` passes Redis when configured. Closed with the control plane if it can be.
   */
  idempotency?: IdempotencyStore | undefined;
  /** How often counted blocks and suppressed duplicates are appended to the audit log. Default 10000. */
  auditIntervalMs?: number;
  /** Automatic trips on what the control plane hears of writes. Default none. */
  sentinels?: readonly SentinelSpec[] | undefined;
  /**
   * Where sentinels count. Default: this process's memory; `estop serve` passes Redis when
   * configured, so that replicas count together. Closed with the control plane if it can be.
   */
  sentinelCounter?: SentinelCounter | undefined;
  /** Bounds on what a request may carry. Default: bodies up to 1 MiB. */
  limits?: { bodyBytes?: number | undefined } | undefined;
  /**
   * How long a disconnected enforcer that did not deregister is kept (in memory, in the store, in
   * the list) before it is forgotten. Default 10 minutes; at least 10 seconds.
   */
  enforcers?: { forgetAfterMs?: number | undefined } | undefined;
  /**
   * Webhooks that hear of changes, from a durable outbox over the audit log. `laggingAfterMs`:
   * a new rule some enforcer has not applied by then is notified (default 10 s); `retry` and
   * `timeoutMs` (one attempt, default 10 s) bound deliveries. Default: no receivers.
   */
  notify?:
    | {
        receivers?: readonly Receiver[] | undefined;
        laggingAfterMs?: number | undefined;
        retry?: RetryPolicy | undefined;
        timeoutMs?: number | undefined;
      }
    | undefined;
  /** Alerts that pull the switch (`POST /v1/hooks/alertmanager`). Default none. */
  triggers?: readonly TriggerSpec[] | undefined;
}

/** A running control plane. */
export interface ControlPlane {
  /** The Hono app, for in-process requests in tests. */
  readonly app: ReturnType<typeof createApp>;
  readonly rules: RuleService;
  readonly audit: AuditWriter;
  readonly approvals: ApprovalService;
  /** Appends the counted blocks and suppressed duplicates now rather than at the next interval. */
  flushAudit(): Promise<void>;
  /** Starts listening; resolves with the URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Stops listening, ends streams and timers, and closes the store. */
  close(): Promise<void>;
}

/** How often the store is asked which tokens holding streams were revoked (by any replica). */
const REVOCATION_CHECK_MS = 400;

/**
 * The control plane's composition root: one store, one clock, one hub; nothing in here
 * creates its own dependencies.
 */
export async function createControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  await store.migrate();
  const metrics = createMetrics();
  // Confirmed as of now: the hub starts from the state read next.
  const view = createViewFreshness({ staleAfterMs: options.viewStaleAfterMs ?? DEFAULT_VIEW_STALE_AFTER_MS });
  const hub = createChangeHub(await store.rules.state(), options.tools ?? {});
  const events = new OperatorEvents();
  const notify = events.notify.bind(events);
  const registry = new EnforcerRegistry(store.enforcers, clock, {
    // This process's id among the replicas sharing the store, new at every start.
    replica: randomUUID(),
    forgetAfterMs: options.enforcers?.forgetAfterMs,
    onSaved: (rows) => metrics.storeEnforcerWrites.inc(rows),
    onPropagated: (ms) => metrics.propagation.observe(ms / 1000),
    onSaveFailed: (ids, error) =>
      logger.error('saving some enforcers failed; the others were saved', { ids, error: String(error) }),
    onForgotten: () => notify('enforcers'),
    onForgetFailed: (error) => logger.error('deleting departed enforcers failed', { error: String(error) }),
  });
  const audit = new AuditWriter(store.audit);
  const restorePolicy: RestorePolicy = {
    secondApprover: options.restore?.secondApprover ?? DEFAULT_RESTORE_POLICY.secondApprover,
    cooldownMs: options.restore?.cooldownMs ?? DEFAULT_RESTORE_POLICY.cooldownMs,
    requestTtlMs: options.restore?.requestTtlMs ?? DEFAULT_RESTORE_POLICY.requestTtlMs,
  };
  const sentinels = options.sentinels ?? [];
  const sentinelCounter = options.sentinelCounter ?? createMemorySentinelCounter();
  // What a sentinel's trip still counts: lifting the trip asks it first.
  const sentinelHeat = createSentinelHeat({ specs: sentinels, counter: sentinelCounter, clock });
  const sentinelObservations = new SentinelObservations(sentinels);
  const restoreRequests = createRestoreService({
    store,
    hub,
    registry,
    clock,
    audit,
    causes: sentinelHeat,
    requestTtlMs: restorePolicy.requestTtlMs,
    notify,
  });
  const rules = createRuleService({
    store,
    hub,
    registry,
    clock,
    defaultMode: options.defaultMode ?? 'read_only',
    restore: restorePolicy,
    restoreRequests,
    causes: sentinelHeat,
  });
  const approvals = new ApprovalService({ approvals: store.approvals, hub, rules, clock, notify });
  const aggregator = new AuditAggregator({ audit, clock, logger, onFlushed: () => notify('audit') });
  const idempotencyStore = options.idempotency ?? store.idempotency;
  const sentinel =
    sentinels.length === 0
      ? undefined
      : new SentinelService({
          specs: sentinels,
          counter: sentinelCounter,
          rules,
          hub,
          clock,
          logger,
          heat: sentinelHeat,
          observations: sentinelObservations,
          audit,
          metrics,
          audited: () => notify('audit'),
        });
  const idempotency = new IdempotencyService({ keys: idempotencyStore, clock, aggregator, sentinel });
  const authenticator = createAuthenticator({ tokens: store.tokens, clock, adminToken: options.adminToken });
  const sessions = new TokenSessions();
  const revoked = (tokenId: string) => {
    authenticator.forget(tokenId);
    sessions.end(tokenId);
  };
  const tokens = new TokenService({
    store,
    clock,
    environmentAdmin: options.adminToken !== undefined,
    requestTtlMs: restorePolicy.requestTtlMs,
    revoked,
    notify,
  });
  // Revocations by other replicas end this one's streams too, within this interval and one read.
  const revocations = watchRevocations({
    tokens: store.tokens,
    sessions,
    intervalMs: REVOCATION_CHECK_MS,
    forget: (tokenId) => authenticator.forget(tokenId),
    onError: (error) => logger.error('looking for revoked tokens failed', { error: String(error) }),
  });
  const runRegistry = new RunRegistry(
    clock,
    sentinel === undefined
      ? undefined
      : (run, usd) => sentinel.observe('spend', { tenant: run.tenant, agent: run.agent, run: run.id }, toMicroUsd(usd)),
  );
  // Runs registered with any replica on the store are listed and killed from every one.
  const sharedRuns = new SharedRuns({ store: store.runs, registry: runRegistry, clock });
  const runs = new RunService({ runs: runRegistry, shared: sharedRuns, rules, audit, clock, notify });
  const notifier = createNotifier({
    store,
    receivers: options.notify?.receivers ?? [],
    clock,
    logger,
    counters: createNotifyCounters(metrics.registry),
    retry: options.notify?.retry,
    timeoutMs: options.notify?.timeoutMs,
  });
  // Whatever operators' views hear of (a change, an audit entry) may be something to notify.
  const stopWaking = events.subscribe(() => notifier.wake());
  const stopWakingOnChanges = hub.subscribe(() => notifier.wake());
  const lagging =
    notifier.receivers.length === 0
      ? undefined
      : watchEnforcementLag({
          hub,
          registry,
          notifier,
          clock,
          logger,
          afterMs: options.notify?.laggingAfterMs ?? 10_000,
        });
  notifier.wake();
  const deps: AppDeps = {
    clock,
    hub,
    registry,
    enforcers: new EnforcerService({ registry, rules, runs, aggregator, hub, view, notify }),
    rules,
    restoreRequests,
    runs,
    drafts: new DraftService({ drafts: store.drafts, rules, clock, notify }),
    audit,
    history: createStateHistory(store.rules),
    auditLog: new AuditService({ audit: store.audit }),
    approvals,
    tokens,
    sessions,
    idempotency,
    metrics,
    events,
    keepAliveMs: options.keepAliveMs ?? 5000,
    view,
    sentinels,
    sentinelViews: createSentinelViews({
      specs: sentinels,
      observations: sentinelObservations,
      heat: sentinelHeat,
      hub,
    }),
    // Ready when the store answers and this replica's view of it is current.
    ready: async () => {
      view.requireCurrent();
      return (await store.rules.state()).version;
    },
    notifier,
    notifications: store.notifications,
    triggers: createTriggerService({
      triggers: options.triggers ?? [],
      rules,
      notifications: store.notifications,
      clock,
      audited: () => notify('audit'),
    }),
    drills: new DrillService({ audit, clock, audited: () => notify('audit') }),
  };
  const voidFailed = (error: unknown) => logger.error('voiding approvals failed', { error: String(error) });
  // Every applied version, whether committed here or by another replica: newer rules more
  // restrictive than approval_gated void the pending approvals they cover.
  hub.subscribe((event) => {
    notify('rules');
    notify('audit');
    const created = event.changes.flatMap((change) => (change.type === 'rule-created' ? [change.rule] : []));
    if (created.length > 0) approvals.voidCoveredBy(created).catch(voidFailed);
  });
  const app = createApp(deps, authenticator, logger, {
    bodyBytes: options.limits?.bodyBytes ?? DEFAULT_BODY_LIMIT_BYTES,
  });

  let server: Server | undefined;
  const housekeeping = startHousekeeping({
    rules,
    approvals,
    restoreRequests,
    tokens,
    aggregator,
    registry,
    sharedRuns,
    sentinel,
    starts: createRuleStarts({ store, hub, clock }),
    notify,
    logger,
    expiryCheckMs: options.expiryCheckMs ?? 1000,
    auditIntervalMs: options.auditIntervalMs ?? 10_000,
  });
  const replicaSync = await startReplicaSync({
    store,
    hub,
    registry,
    view,
    pollMs: options.replicaPollMs ?? 1000,
    onError: (error) => logger.error('following other replicas failed', { error: String(error) }),
    onApplied: (via) => metrics.replicaChanges.inc({ via }),
  });

  return {
    app,
    rules,
    audit,
    approvals,
    flushAudit: () => aggregator.flush(),
    listen({ host = '127.0.0.1', port = 7070 } = {}) {
      server = createHttpServer(app.fetch);
      return listenOn(server, host, port);
    },
    async close() {
      housekeeping.close();
      revocations.close();
      approvals.close();
      lagging?.close();
      stopWaking();
      stopWakingOnChanges();
      events.close();
      await replicaSync.close();
      view.close();
      if (server !== undefined) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        await closing;
      }
      await sentinel?.settled();
      await notifier.close();
      await options.sentinelCounter?.close?.();
      registry.close();
      await registry.flush().catch(() => {});
      await sharedRuns.flush().catch(() => {});
      await aggregator.flush();
      if (options.idempotency !== undefined) await (options.idempotency as { close?: () => Promise<void> }).close?.();
      await store.close();
    },
  };
}
