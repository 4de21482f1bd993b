export type { RedisIdempotencyStore, RedisIdempotencyStoreOptions } from './redis-idempotency-store.js';
export { createRedisIdempotencyStore } from './redis-idempotency-store.js';
export type { RedisSentinelCounterOptions } from './redis-sentinel-counter.js';
export { createRedisSentinelCounter } from './redis-sentinel-counter.js';
