import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createMemoryStore, type Rule } from '@estop/core';
import { createControlPlane, type ControlPlane, type ControlPlaneOptions } from '@estop/server';
import { createGuard, RunStoppedError, type Guard, type Run } from '@estop/sdk';
import { waitFor } from '../../packages/sdk/test/wait-for.js';

const ADMIN_TOKEN = 'estop_sdk-adapters-admin';

/** A real control plane in this process, with a guard on it holding an enforcer token. */
export interface RealControlPlane {
  url: string;
  plane: ControlPlane;
  guard: Guard;
  /** Creates a rule through `POST /v1/rules` and waits until the guard has applied it. */
  rule(input: Record<string, unknown>): Promise<{ id: string }>;
  /**
   * Lifts a rule through `POST /v1/rules/:id/lift` and waits until the guard has applied it;
   * `force` lifts a sentinel's trip although its cause continues.
   */
  lift(id: string, options?: { force?: boolean }): Promise<void>;
  /** The active rules, from `GET /v1/rules`. */
  activeRules(): Promise<Rule[]>;
  close(): Promise<void>;
}

export async function startRealControlPlane(options: Partial<ControlPlaneOptions> = {}): Promise<RealControlPlane> {
  const store = createMemoryStore({ sha256: (text) => createHash('sha256').update(text).digest('hex') });
  const plane = await createControlPlane({
    store,
    adminToken: ADMIN_TOKEN,
    restore: { secondApprover: [] },
    ...options,
  });
  const url = await plane.listen({ port: 0 });
  const api = async (path: string, body: unknown): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  const created = await api('/v1/tokens', { role: 'enforcer', name: 'sdk-adapters' });
  if (created.status !== 201) throw new Error(`token creation failed: ${JSON.stringify(created.body)}`);
  const guard = createGuard({
    url,
    token: created.body.token as string,
    name: 'sdk-adapters-worker',
    breakGlass: {},
    onError: () => {},
  });
  await guard.ready();
  const applied = (version: number): Promise<void> =>
    waitFor(`the guard to apply version ${version}`, () => guard.version >= version);
  return {
    url,
    plane,
    guard,
    async rule(input) {
      const response = await api('/v1/rules', input);
      if (response.status !== 201) throw new Error(`rule creation failed: ${JSON.stringify(response.body)}`);
      await applied(response.body.version as number);
      return { id: response.body.rule.id as string };
    },
    async lift(id, options = {}) {
      const force = options.force === true ? { force: true } : {};
      const response = await api(`/v1/rules/${id}/lift`, { reason: 'test done', ...force });
      if (response.status !== 200) throw new Error(`lift failed: ${JSON.stringify(response.body)}`);
      if (typeof response.body.version === 'number') await applied(response.body.version);
    },
    async activeRules() {
      const response = await fetch(`${url}/v1/rules`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      return ((await response.json()) as { rules: Rule[] }).rules;
    },
    async close() {
      await guard.close();
      await plane.close();
    },
  };
}

/** A tool body that runs until its signal aborts, recording that abort. */
export function heldUntilAborted(): {
  started: () => boolean;
  signal: () => AbortSignal | undefined;
  body: (signal: AbortSignal) => Promise<string>;
} {
  let seen: AbortSignal | undefined;
  return {
    started: () => seen !== undefined,
    signal: () => seen,
    body: (signal) =>
      new Promise<string>((_resolve, reject) => {
        seen = signal;
        if (signal.aborted) reject(signal.reason as Error);
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      }),
  };
}

/**
 * Once the held tool body has started, kills its run (a run-scoped full_stop with
 * cancelInFlight), and checks that the body's signal aborted with the stop reason naming the
 * rule. Returns the rule, for the caller to lift.
 */
export async function killRunMidCall(
  control: RealControlPlane,
  run: Run,
  held: ReturnType<typeof heldUntilAborted>,
): Promise<{ id: string }> {
  await waitFor('the tool to start', held.started);
  const rule = await control.rule({
    scope: { run: run.id },
    mode: 'full_stop',
    reason: 'looping',
    cancelInFlight: true,
  });
  await waitFor('the tool signal to abort', () => held.signal()?.aborted === true);
  const reason = held.signal()?.reason;
  assert.ok(reason instanceof RunStoppedError);
  assert.equal(reason.stopReason, `killed:${rule.id}`);
  return rule;
}
