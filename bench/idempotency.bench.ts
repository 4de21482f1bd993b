// Idempotency: how many write checks per second the shared key store answers (32 in flight),
// and how long a duplicate takes to be suppressed (one at a time, and under that load). The
// headline figures go through the path an SDK guard takes (HTTP to a real `estop serve` on
// embedded SQLite); each backend is also measured on its own, as a control plane uses it.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { IdempotencyStore } from '@estop/core';
import pg from 'pg';
import { sha256Hex } from '@estop/core/testing';
import { createPostgresStore } from '@estop/store-postgres';
import { createRedisIdempotencyStore } from '@estop/store-redis';
import { createSqliteStore } from '@estop/store-sqlite';
import { ADMIN, startControlPlaneProcess, stopProcess } from './control-plane-process.js';
import { percentile } from './stats.js';

const IN_FLIGHT = 32;
const KEYS = 4000;
const DUPLICATES = 20_000;
const SEQUENTIAL = 3000;
const WINDOW_MS = 10 * 60_000;
const POSTGRES_URL = process.env.ESTOP_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.ESTOP_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One check: claim a key; true when it was a duplicate (the call would not run). */
type Check = (key: string) => Promise<boolean>;
/** Completes a claimed key with a result. */
type Complete = (key: string) => Promise<void>;

interface Figures {
  checks_per_s: number;
  duplicate_suppression_p50_us: number;
  duplicate_suppression_p99_us: number;
  loaded_suppression_p99_us: number;
  first_writes_per_s: number;
}

/** Runs `count` tasks with `inFlight` at a time; returns the seconds it took. */
async function concurrently(count: number, inFlight: number, task: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

/**
 * First writes: `KEYS` fresh keys claimed and completed, `IN_FLIGHT` at a time. Then duplicate
 * checks of those keys, each answered `done` with the first result: `DUPLICATES` of them
 * `IN_FLIGHT` at a time for the throughput (and the latency under that load), then
 * `SEQUENTIAL` one at a time for the latency of suppressing one duplicate.
 */
async function measure(check: Check, complete: Complete): Promise<Figures> {
  const keys = Array.from({ length: KEYS }, () => randomUUID());
  const firstSeconds = await concurrently(KEYS, IN_FLIGHT, async (index) => {
    const key = keys[index] as string;
    if (await check(key)) throw new Error(`fresh key ${key} was reported as a duplicate`);
    await complete(key);
  });
  const timedDuplicates = async (count: number, inFlight: number) => {
    const latencies = new Float64Array(count);
    const seconds = await concurrently(count, inFlight, async (index) => {
      const begin = performance.now();
      const duplicate = await check(keys[index % KEYS] as string);
      latencies[index] = performance.now() - begin;
      if (!duplicate) throw new Error('a completed key was not reported as a duplicate');
    });
    return { latencies, seconds };
  };
  const loaded = await timedDuplicates(DUPLICATES, IN_FLIGHT);
  const alone = await timedDuplicates(SEQUENTIAL, 1);
  const us = (samples: Float64Array, p: number) => Math.round(percentile(samples, p) * 1000);
  return {
    checks_per_s: Math.round(DUPLICATES / loaded.seconds),
    duplicate_suppression_p50_us: us(alone.latencies, 50),
    duplicate_suppression_p99_us: us(alone.latencies, 99),
    loaded_suppression_p99_us: us(loaded.latencies, 99),
    first_writes_per_s: Math.round(KEYS / firstSeconds),
  };
}

/** The store port directly: what one control plane (or gateway) process gets from a backend. */
async function measureStore(store: IdempotencyStore): Promise<Figures> {
  const claims = new Map<string, string>();
  return measure(
    async (key) => {
      const claim = await store.claim(key, Date.now(), WINDOW_MS);
      if (claim.status === 'claimed') claims.set(key, claim.claimId);
      return claim.status !== 'claimed';
    },
    async (key) => {
      await store.complete(key, claims.get(key) as string, '{"sent":true}');
    },
  );
}

/** POSTs JSON on keep-alive connections, as the SDK's client does; resolves with the parsed answer. */
function poster(url: string): (path: string, body: unknown) => Promise<unknown> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  return (path, body) =>
    new Promise((resolve, reject) => {
      const request = http.request(
        `${url}${path}`,
        {
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 300) reject(new Error(`${path}: ${status} ${text}`));
            else resolve(text === '' ? undefined : JSON.parse(text));
          });
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify(body));
    });
}

/** The path an SDK guard takes: `POST /v1/idempotency/claim` and `/complete` on a real server. */
async function measureControlPlane(url: string): Promise<Figures> {
  const claims = new Map<string, string>();
  const post = poster(url);
  return measure(
    async (key) => {
      const body = (await post('/v1/idempotency/claim', {
        tenant: 'acme',
        tool: 'email.send',
        key,
        windowMs: WINDOW_MS,
      })) as { status: string; claimId?: string };
      if (body.status === 'claimed') claims.set(key, body.claimId as string);
      return body.status !== 'claimed';
    },
    async (key) => {
      await post('/v1/idempotency/complete', {
        tenant: 'acme',
        tool: 'email.send',
        key,
        claimId: claims.get(key),
        result: { sent: true },
      });
    },
  );
}

async function backend(name: string, open: () => Promise<{ store: IdempotencyStore; close(): Promise<void> }>) {
  let opened;
  try {
    opened = await open();
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    console.log(`idempotency: ${name} skipped, not reachable (${(error as Error).message})`);
    return undefined;
  }
  try {
    return await measureStore(opened.store);
  } finally {
    await opened.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const { url, child } = await startControlPlaneProcess();
  let viaControlPlane: Figures;
  try {
    viaControlPlane = await measureControlPlane(url);
  } finally {
    await stopProcess(child);
  }
  const sqlite = await backend('sqlite', async () => {
    const store = createSqliteStore({
      file: join(await mkdtemp(join(tmpdir(), 'estop-idem-')), 'estop.db'),
      sha256: sha256Hex,
    });
    await store.migrate();
    return { store: store.idempotency, close: () => store.close() };
  });
  const postgres = await backend('postgres', async () => {
    const schema = `bench_idempotency_${process.pid}`;
    const store = createPostgresStore({ url: POSTGRES_URL, sha256: sha256Hex, schema });
    await store.migrate();
    const close = async () => {
      await store.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    };
    return { store: store.idempotency, close };
  });
  const redis = await backend('redis', async () => {
    const store = createRedisIdempotencyStore({ url: REDIS_URL, prefix: `estop-bench-${randomUUID()}:` });
    await store.claim(`probe-${randomUUID()}`, Date.now(), 1000);
    return { store, close: () => store.close() };
  });
  return {
    in_flight: IN_FLIGHT,
    checks_per_s: viaControlPlane.checks_per_s,
    duplicate_suppression_p99_us: viaControlPlane.duplicate_suppression_p99_us,
    duplicate_suppression_p50_us: viaControlPlane.duplicate_suppression_p50_us,
    loaded_suppression_p99_us: viaControlPlane.loaded_suppression_p99_us,
    first_writes_per_s: viaControlPlane.first_writes_per_s,
    backends: { sqlite, postgres, redis },
  };
}
