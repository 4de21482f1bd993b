import { describe } from 'node:test';
import {
  describeIdempotency,
  idempotencyTest,
  type ClosableIdempotencyStore,
  type IdempotencyClock,
} from './idempotency-cases.js';

/**
 * The behaviour every `IdempotencyStore` must show, for stores that stand on their own (such as
 * Redis) rather than inside a `Store`, which `runStoreConformance` covers. `create` must return an
 * empty store; the suite closes it. `clock` says whose clock expires keys (default `caller`).
 *
 * @example
 * runIdempotencyConformance({ name: 'Redis', clock: 'server', create: async () => createRedisIdempotencyStore({ prefix }) });
 */
export function runIdempotencyConformance(options: {
  name: string;
  create: () => Promise<ClosableIdempotencyStore>;
  clock?: IdempotencyClock;
}): void {
  describe(`${options.name} conforms to the IdempotencyStore port`, () => {
    describeIdempotency(idempotencyTest(options.create), options.clock ?? 'caller');
  });
}
