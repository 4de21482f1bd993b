import type { EstopError } from '@estop/core';
import { createGuard, type Guard, type GuardOptions } from '../src/index.js';
import type { FakeControlPlane } from './fake-control-plane.js';

/** A guard on the fake control plane that ignores the environment and records its errors. */
export function createTestGuard(
  fake: FakeControlPlane,
  options: Partial<GuardOptions> = {},
): { guard: Guard; errors: EstopError[] } {
  const errors: EstopError[] = [];
  const guard = createGuard({
    url: fake.url,
    token: fake.token,
    name: 'test-worker',
    breakGlass: {},
    reconnect: { baseMs: 5, maxMs: 50 },
    onError: (error) => errors.push(error),
    ...options,
  });
  return { guard, errors };
}
