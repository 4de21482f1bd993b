import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { systemClock, type Clock, type Effect, type Mode, type Store } from '@estop/core';
import { createApp, type Logger } from './app.js';
import type { AppDeps } from './app-env.js';
import { AuditWriter } from './audit-writer.js';
import { createAuthenticator } from './authenticator.js';
import { createChangeHub } from './change-hub.js';
import { EnforcerRegistry } from './enforcer-registry.js';
import { createMetrics } from './metrics.js';
import { OperatorEvents } from './operator-events.js';
import { startReplicaSync } from './replica-sync.js';
import { DEFAULT_RESTORE_POLICY, type RestorePolicy } from './restore-policy.js';
import { createRestoreService } from './restore-service.js';
import { createRuleService, type RuleService } from './rule-service.js';
import { RunRegistry } from './run-registry.js';

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
   * Which lifts need a second admin and how long a rule must stand before a lift. Default:
   * global rules and full stops need a second admin; no cooldown.
   */
  restore?: Partial<RestorePolicy> | undefined;
}

/** A running control plane. */
export interface ControlPlane {
  /** The Hono app, for in-process requests in tests. */
  readonly app: ReturnType<typeof createApp>;
  readonly rules: RuleService;
  readonly audit: AuditWriter;
  /** Starts listening; resolves with the URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Stops listening, ends streams and timers, and closes the store. */
  close(): Promise<void>;
}

const silentLogger: Logger = { info: () => {}, error: () => {} };

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
  const hub = createChangeHub(await store.rules.state(), options.tools ?? {});
  const registry = new EnforcerRegistry(store.enforcers, clock, (ms) => metrics.propagation.observe(ms / 1000));
  const restoreRequests = createRestoreService({ store, hub, registry, clock });
  const rules = createRuleService({
    store,
    hub,
    registry,
    clock,
    defaultMode: options.defaultMode ?? 'read_only',
    restore: {
      secondApprover: options.restore?.secondApprover ?? DEFAULT_RESTORE_POLICY.secondApprover,
      cooldownMs: options.restore?.cooldownMs ?? DEFAULT_RESTORE_POLICY.cooldownMs,
    },
    restoreRequests,
  });
  const audit = new AuditWriter(store.audit);
  const authenticator = createAuthenticator({ tokens: store.tokens, clock, adminToken: options.adminToken });
  const deps: AppDeps = {
    store,
    clock,
    hub,
    registry,
    rules,
    restoreRequests,
    runs: new RunRegistry(clock),
    audit,
    metrics,
    events: new OperatorEvents(),
    keepAliveMs: options.keepAliveMs ?? 5000,
    ready: async () => (await store.rules.state()).version,
  };
  hub.subscribe(() => deps.events.notify('rules'));
  const app = createApp(deps, authenticator, logger);

  let server: ServerType | undefined;
  const timers = [
    setInterval(() => {
      rules.expire().catch((error: unknown) => logger.error('expiring rules failed', { error: String(error) }));
    }, options.expiryCheckMs ?? 1000),
    setInterval(() => {
      registry.flush().catch((error: unknown) => logger.error('saving enforcers failed', { error: String(error) }));
    }, 1000),
  ];
  for (const timer of timers) timer.unref();
  const replicaSync = await startReplicaSync({
    store,
    hub,
    registry,
    pollMs: options.replicaPollMs ?? 1000,
    onError: (error) => logger.error('following other replicas failed', { error: String(error) }),
  });

  return {
    app,
    rules,
    audit,
    listen({ host = '127.0.0.1', port = 7070 } = {}) {
      return new Promise((resolve, reject) => {
        const listening = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
          const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
          resolve(`http://${shownHost}:${info.port}`);
        });
        listening.once('error', reject);
        server = listening;
      });
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      await replicaSync.close();
      if (server !== undefined) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        await closing;
      }
      await registry.flush().catch(() => {});
      await store.close();
    },
  };
}
