import type { IdempotencyStore, SentinelCounter, Store } from '@estop/core';
import type { ServerConfig } from './config.js';
import { storeKind } from './store-registry.js';
import { sha256Hex } from './tokens/token-secret.js';

/** Opens the configured store, as its entry in `STORE_KINDS` says. */
export async function openStore(config: ServerConfig): Promise<Store> {
  return storeKind(config.store).open({ data: config.data, databaseUrl: config.databaseUrl, sha256: sha256Hex });
}

/**
 * Where idempotency keys live: Redis when the config names one (shared by many control-plane
 * replicas without a round trip to the database), else undefined and the store keeps them.
 */
export async function openIdempotencyStore(config: ServerConfig): Promise<IdempotencyStore | undefined> {
  if (config.redis === undefined) return undefined;
  const { createRedisIdempotencyStore } = await import('@estop/store-redis');
  return createRedisIdempotencyStore({ url: config.redis.url, prefix: config.redis.prefix });
}

/** Where sentinels count: Redis when configured (so replicas count together), else memory (undefined). */
export async function openSentinelCounter(config: ServerConfig): Promise<SentinelCounter | undefined> {
  if (config.redis === undefined || config.sentinels.length === 0) return undefined;
  const { createRedisSentinelCounter } = await import('@estop/store-redis');
  const prefix = config.redis.prefix === undefined ? undefined : `${config.redis.prefix}sentinel:`;
  return createRedisSentinelCounter({ url: config.redis.url, prefix });
}
