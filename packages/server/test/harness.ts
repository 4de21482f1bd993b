import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createMemoryStore, type Store } from '@estop/core';
import { createControlPlane, type ControlPlane, type ControlPlaneOptions } from '../src/index.js';
import { sha256Hex } from '../src/tokens/token-secret.js';

/** SHA-256 hex, as the server stores token secrets: for tests that open a store of their own. */
export { sha256Hex };

export const ADMIN_TOKEN = 'estop_test-admin-token';

/** A control plane listening on a free port, with an admin token and a small request helper. */
export interface TestControlPlane {
  url: string;
  plane: ControlPlane;
  store: Store;
  request(
    path: string,
    options?: { method?: string; token?: string | null; body?: unknown; rawBody?: string },
  ): Promise<{ status: number; type: string; body: any }>;
  /**
   * Creates a token with a role (and tenant) and returns its secret. A new admin principal while two
   * or more exist is a request: it is confirmed with an unbound admin token this helper made before.
   */
  token(role: string, tenant?: string, name?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestControlPlane(options: Partial<ControlPlaneOptions> = {}): Promise<TestControlPlane> {
  const store = options.store ?? createMemoryStore({ sha256: sha256Hex });
  const plane = await createControlPlane({ adminToken: ADMIN_TOKEN, ...options, store });
  const url = await plane.listen({ port: 0 });
  const request: TestControlPlane['request'] = async (path, { method, token = ADMIN_TOKEN, body, rawBody } = {}) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined || rawBody !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, {
      method: method ?? (body !== undefined || rawBody !== undefined ? 'POST' : 'GET'),
      headers,
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: text === '' ? undefined : JSON.parse(text),
    };
  };
  let counter = 0;
  // Replicas on one store each have a harness: default names must not collide between them.
  const instance = randomBytes(3).toString('hex');
  const unboundAdmins: string[] = [];
  return {
    url,
    plane,
    store,
    request,
    async token(role, tenant, name = `${role}-${(counter += 1)}-${instance}`) {
      const response = await request('/v1/tokens', { body: { name, role, tenant } });
      const confirmer = unboundAdmins[0];
      if (response.status === 202 && confirmer !== undefined) {
        const path = `/v1/tokens/requests/${response.body.request.id}/confirm`;
        const confirmed = await request(path, { token: confirmer, body: { reason: 'test setup' } });
        if (confirmed.status !== 200) throw new Error(`confirming failed: ${JSON.stringify(confirmed.body)}`);
      } else if (response.status !== 201) {
        throw new Error(`token creation failed: ${JSON.stringify(response.body)}`);
      }
      if (role === 'admin' && tenant === undefined) unboundAdmins.push(response.body.token as string);
      return response.body.token as string;
    },
    close: () => plane.close(),
  };
}

/** Waits until `check` returns a truthy value, polling; fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Registers the enforcer `id` on `cp` with `token` and opens its stream, read as an enforcer reads
 * it (fetch cancels the body of a response garbage-collected unread, which would close the stream
 * at a random moment). The returned function cuts the stream without deregistering, as a killed
 * process's is.
 */
export async function connectEnforcer(cp: TestControlPlane, token: string, id: string): Promise<() => void> {
  const registered = await cp.request('/v1/enforcers', { token, body: { id, name: id, kind: 'sdk' } });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const controller = new AbortController();
  const response = await fetch(`${cp.url}/v1/stream?enforcer=${id}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  void (async () => {
    for await (const _chunk of response.body ?? []) void _chunk;
  })().catch(() => {});
  return () => controller.abort();
}
