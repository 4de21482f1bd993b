import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { IdempotencyStore, Store } from '@estop/core';
import { createControlPlane, type ControlPlane, type StoreName } from '@estop/server';
import { createPostgresStore } from '@estop/store-postgres';
import { createSqliteStore } from '@estop/store-sqlite';
import pg from 'pg';

const ADMIN_TOKEN = 'estop_governed-writes-admin';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The PostgreSQL the tests use; ESTOP_TEST_DATABASE_URL overrides it. */
export const databaseUrl = process.env.ESTOP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Which store a control plane under test keeps its state in: one of the server's registry. */
export type StoreKind = StoreName;

/** A real control plane on SQLite or PostgreSQL, with an operator's view of its API. */
export interface GovernedPlane {
  readonly url: string;
  readonly plane: ControlPlane;
  /** Claims the control plane's idempotency store has answered, counted as they arrive. */
  readonly claims: () => number;
  /** A new token with `role` (and tenant binding), made by the admin. */
  token(role: string, name: string, tenant?: string): Promise<string>;
  /** A request as the admin. */
  api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Creates a rule; resolves with its id and the version that carries it. */
  rule(input: Record<string, unknown>): Promise<{ id: string; version: number }>;
  /** Waits until an approval for `tool` is pending, and returns it. */
  pendingApproval(tool: string): Promise<any>;
  close(): Promise<void>;
}

/**
 * Starts a control plane on a fresh SQLite file or PostgreSQL schema. Resolves undefined, with
 * the test skipped and saying why, when PostgreSQL is not reachable outside CI; under CI
 * (`CI=true`) that fails the test instead.
 */
export async function startGovernedPlane(kind: StoreKind, context: TestContext): Promise<GovernedPlane | undefined> {
  let store: Store;
  let cleanUp: () => Promise<void>;
  if (kind === 'sqlite') {
    const directory = await mkdtemp(join(tmpdir(), 'estop-governed-'));
    store = createSqliteStore({ file: join(directory, 'estop.db'), sha256 });
    cleanUp = () => rm(directory, { recursive: true, force: true });
  } else {
    const problem = await probePostgres();
    if (problem !== undefined) {
      if (process.env.CI === 'true') assert.fail(`CI needs PostgreSQL at ${databaseUrl}: ${problem}`);
      context.skip(`PostgreSQL is not reachable at ${databaseUrl} (${problem})`);
      return undefined;
    }
    const schema = `estop_governed_${randomBytes(4).toString('hex')}`;
    store = createPostgresStore({ url: databaseUrl, sha256, schema });
    cleanUp = () => dropSchema(schema);
  }
  let claims = 0;
  const keys: IdempotencyStore = {
    claim: async (key, nowMs, ttlMs) => {
      const claim = await store.idempotency.claim(key, nowMs, ttlMs);
      claims++;
      return claim;
    },
    complete: (key, claimId, result) => store.idempotency.complete(key, claimId, result),
    release: (key, claimId) => store.idempotency.release(key, claimId),
  };
  const plane = await createControlPlane({
    store,
    adminToken: ADMIN_TOKEN,
    restore: { secondApprover: [] },
    idempotency: keys,
    auditIntervalMs: 60_000,
  });
  const url = await plane.listen({ port: 0 });
  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  return {
    url,
    plane,
    claims: () => claims,
    api,
    async token(role, name, tenant) {
      const created = await api('POST', '/v1/tokens', { role, name, tenant });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.token as string;
    },
    async rule(input) {
      const created = await api('POST', '/v1/rules', { reason: 'incident', ...input });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return { id: created.body.rule.id as string, version: created.body.version as number };
    },
    async pendingApproval(tool) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const listed = await api('GET', '/v1/approvals?status=pending');
        const found = listed.body.approvals.find((approval: any) => approval.call.tool === tool);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for an approval of ${tool}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      await plane.close();
      await cleanUp();
    },
  };
}

/** A side effect outside the agent: counts each write it receives and answers with its number. */
export async function startSideEffect(): Promise<{ url: string; count: () => number; close(): Promise<void> }> {
  let count = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      count++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sent: count }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function probePostgres(): Promise<string | undefined> {
  const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  const problem = await probe.connect().then(
    () => undefined,
    (error: Error) => error.message,
  );
  await probe.end().catch(() => undefined);
  return problem;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect().catch(() => undefined);
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await client.end().catch(() => undefined);
}
