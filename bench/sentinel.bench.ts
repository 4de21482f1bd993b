// sentinel: how soon a flood is stopped without anyone pressing anything, and what counting costs.
//
// trip_to_enforced: a real `estop serve` (SQLite) in its own process with a sentinel of 5 writes
// per tenant; this process claims writes for a fresh tenant over HTTP, as an enforcer does, and a
// guard here watches: timed from just before the fifth claim until the guard denies that
// tenant's writes (counted, tripped, committed with its audit entry, pushed, applied).
// counter_add: one add to a sentinel counter, in memory (batched: one is shorter than a clock
// read) and in Redis (one round trip each, then 32 in flight for adds per second).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createMemorySentinelCounter, type SentinelCounter } from '@estop/core';
import { createGuard } from '@estop/sdk';
import { createRedisSentinelCounter } from '@estop/store-redis';
import { adminRequest, startControlPlaneProcess, stopProcess } from './control-plane-process.js';
import { percentile } from './stats.js';

const TRIPS = Number(process.env.BENCH_TRIPS ?? 30);
const THRESHOLD = 5;
const REDIS_URL = process.env.ESTOP_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADDS = 5_000;
const IN_FLIGHT = 32;

async function tripToEnforced(): Promise<number[]> {
  const config = `sentinel:\n  - {name: flood, signal: writes, per: tenant, threshold: ${THRESHOLD}, window: 1m}\n`;
  const { url, child } = await startControlPlaneProcess([], config);
  const token = (await adminRequest(url, '/v1/tokens', { name: 'bench-sentinel', role: 'enforcer' })).token as string;
  const guard = createGuard({ url, token, name: 'bench-sentinel', breakGlass: {}, onError: () => {} });
  const samples: number[] = [];
  try {
    await guard.ready();
    const claim = (tenant: string, key: string) =>
      fetch(`${url}/v1/idempotency/claim`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tenant, tool: 'email.send', key, windowMs: 60_000 }),
      }).then((response) => response.json());
    for (let round = 0; round < TRIPS; round++) {
      const tenant = `flooded-${round}`;
      const write = { tenant, tool: 'email.send', effect: 'write' } as const;
      for (let index = 1; index < THRESHOLD; index++) await claim(tenant, `k${index}`);
      const denied = new Promise<number>((resolve) => {
        const stop = guard.onChange(() => {
          if (guard.decide(write).outcome !== 'deny') return;
          stop();
          resolve(performance.now());
        });
      });
      const start = performance.now();
      await claim(tenant, `k${THRESHOLD}`);
      samples.push((await denied) - start);
    }
  } finally {
    await guard.close();
    await stopProcess(child);
  }
  return samples;
}

async function memoryAddNs(): Promise<number> {
  const counter = createMemorySentinelCounter();
  const batches: number[] = [];
  let now = Date.now();
  for (let batch = 0; batch < 200; batch++) {
    const start = performance.now();
    for (let index = 0; index < 1000; index++) await counter.add(`g${index % 100}`, (now += 1), 60_000, 1, 1_000_000);
    batches.push(((performance.now() - start) * 1e6) / 1000);
  }
  return percentile(batches, 50);
}

async function redisAdds(): Promise<{ p50Us: number; p99Us: number; perSecond: number }> {
  const counter: SentinelCounter = createRedisSentinelCounter({
    url: REDIS_URL,
    prefix: `estop-bench:${randomUUID()}:`,
  });
  try {
    const samples: number[] = [];
    for (let index = 0; index < ADDS; index++) {
      const start = performance.now();
      await counter.add(`g${index % 100}`, Date.now(), 60_000, 1, 1_000_000);
      samples.push((performance.now() - start) * 1000);
    }
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < ADDS) await counter.add(`g${next++ % 100}`, Date.now(), 60_000, 1, 1_000_000);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    for (let index = 0; index < 100; index++) await counter.reset(`g${index}`);
    return { p50Us: percentile(samples, 50), p99Us: percentile(samples, 99), perSecond: ADDS / seconds };
  } finally {
    await counter.close?.();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const trips = await tripToEnforced();
  const redis = await redisAdds();
  return {
    trips: TRIPS,
    threshold: THRESHOLD,
    trip_to_enforced_p50_ms: Number(percentile(trips, 50).toFixed(2)),
    trip_to_enforced_p99_ms: Number(percentile(trips, 99).toFixed(2)),
    memory_counter_add_p50_ns: Number((await memoryAddNs()).toFixed(1)),
    redis_counter_add_p50_us: Math.round(redis.p50Us),
    redis_counter_add_p99_us: Math.round(redis.p99Us),
    redis_counter_adds_per_s: Math.round(redis.perSecond),
  };
}
