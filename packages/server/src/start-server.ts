import { systemClock } from '@estop/core';
import { bootstrapAdmin } from './tokens/bootstrap-admin.js';
import { loadServerConfig, type ServerFlags } from './config.js';
import { createControlPlane, type ControlPlane } from './control-plane.js';
import { secureDataDirectory } from './data-directory.js';
import type { Logger } from './logger.js';
import { openIdempotencyStore, openSentinelCounter, openStore } from './open-store.js';
import { storeKind } from './store-registry.js';

/** What `estop serve` runs: config, store, admin bootstrap, control plane, listen. */
export async function startServer(
  flags: ServerFlags,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<{ url: string; controlPlane: ControlPlane; adminTokenFile?: string | undefined }> {
  const config = await loadServerConfig(flags, env);
  // Owner-only at every start, before anything in it is opened: it holds what would let another local user in.
  await secureDataDirectory(config.data, { create: storeKind(config.store).usesDataDirectory });
  const store = await openStore(config);
  const adminToken = env.ESTOP_ADMIN_TOKEN === '' ? undefined : env.ESTOP_ADMIN_TOKEN;
  const controlPlane = await createControlPlane({
    store,
    clock: systemClock,
    logger,
    adminToken,
    tools: config.tools,
    keepAliveMs: config.keepAliveMs,
    viewStaleAfterMs: config.viewStaleAfterMs,
    limits: { bodyBytes: config.bodyLimitBytes },
    defaultMode: config.defaultMode,
    restore: config.restore,
    sentinels: config.sentinels,
    enforcers: { forgetAfterMs: config.enforcerForgetAfterMs },
    sentinelCounter: await openSentinelCounter(config),
    idempotency: await openIdempotencyStore(config),
    notify: { receivers: config.notify, laggingAfterMs: config.notifyLaggingAfterMs },
    triggers: config.triggers,
  });
  const { createdFile } = await bootstrapAdmin({ store, data: config.data, clock: systemClock, adminToken });
  const url = await controlPlane.listen({ host: config.host, port: config.port });
  logger.info('control plane listening', {
    url,
    store: config.store,
    idempotency: config.redis === undefined ? config.store : 'redis',
    sentinels: config.sentinels.map((sentinel) => sentinel.name),
    sentinelCounts: config.sentinels.length === 0 ? undefined : config.redis === undefined ? 'memory' : 'redis',
    notify: config.notify.length === 0 ? undefined : config.notify.map((receiver) => receiver.name),
    triggers: config.triggers.length === 0 ? undefined : config.triggers.map((trigger) => trigger.alert),
    version: (await store.rules.state()).version,
  });
  return { url, controlPlane, adminTokenFile: createdFile };
}
