import { after, before } from 'node:test';
import type { EstopError } from '@estop/core';
import { createGuard, type Guard, type GuardOptions } from '../src/index.js';
import { FakeControlPlane } from './fake-control-plane.js';

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
    // The fake speaks only the enforcer endpoints; idempotency is tested on real control planes.
    idempotency: { tools: { '*': false } },
    ...options,
  });
  return { guard, errors };
}

/**
 * Registers hooks for the enclosing suite: before its tests, a fake control plane and a guard
 * synced with it (handed to `onStarted`); after them, both closed.
 */
export function useSyncedGuard(onStarted: (started: { fake: FakeControlPlane; guard: Guard }) => void): void {
  let started: { fake: FakeControlPlane; guard: Guard } | undefined;
  before(async () => {
    const fake = await FakeControlPlane.start();
    const { guard } = createTestGuard(fake);
    started = { fake, guard };
    onStarted(started);
    await guard.ready();
  });
  after(async () => {
    await started?.guard.close();
    await started?.fake.close();
  });
}
