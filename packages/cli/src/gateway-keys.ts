import type { GatewayConfig } from '@estop/gateway';
import { createRedisIdempotencyStore, type RedisIdempotencyStore } from '@estop/store-redis';

/**
 * The Redis a gateway's config keeps idempotency keys in (`idempotency.redis`), opened for the
 * gateway's guard; undefined when the config names none (the control plane keeps them). The
 * caller closes it after the gateway.
 */
export function openGatewayKeys(config: GatewayConfig): RedisIdempotencyStore | undefined {
  const redis = config.idempotency.redis;
  return redis === undefined ? undefined : createRedisIdempotencyStore({ url: redis.url, prefix: redis.prefix });
}
