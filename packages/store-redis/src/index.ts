export type { RedisIdempotencyStore, RedisIdempotencyStoreOptions } from './redis-idempotency-store.js';
export { createRedisIdempotencyStore } from './redis-idempotency-store.js';
