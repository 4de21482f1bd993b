import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { IdempotencyStore, SentinelCounter, Store } from '@estop/core';
import type { ServerConfig } from './config.js';
import { sha256Hex } from './token-secret.js';

/** Opens the configured store: SQLite under the data directory, or PostgreSQL. */
export async function openStore(config: ServerConfig): Promise<Store> {
  if (config.store === 'postgres') {
    const { createPostgresStore } = await import('@estop/store-postgres');
    return createPostgresStore({ url: config.databaseUrl as string, sha256: sha256Hex });
  }
  // Owner-only: the directory holds the admin token and the database of token hashes.
  await mkdir(config.data, { recursive: true, mode: 0o700 });
  const { createSqliteStore } = await import('@estop/store-sqlite');
  return createSqliteStore({ file: join(config.data, 'estop.db'), sha256: sha256Hex });
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
