// Notifications: from the request that commits a stop to its signed webhook arriving at a receiver,
// through the durable outbox (the receiver's cursor and the delivery row, each a SQLite commit with
// synchronous=FULL), on the embedded store, one stop at a time. The receiver is a local HTTP server.
import { createServer } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sha256Hex } from '@estop/core/testing';
import { createControlPlane, receiverKey, receiverName } from '@estop/server';
import { createSqliteStore } from '@estop/store-sqlite';
import { atMost, percentile } from './stats.js';

const STOPS = 300;
const ADMIN = 'estop_bench-admin-token';

export async function run(): Promise<Record<string, unknown>> {
  const arrivals = new Map<string, number>();
  let arrived: ((ruleId: string) => void) | undefined;
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      response.statusCode = 204;
      response.end();
      const ruleId = JSON.parse(Buffer.concat(chunks).toString('utf8')).data?.entry?.ruleId as string | undefined;
      if (ruleId === undefined) return;
      arrivals.set(ruleId, at);
      arrived?.(ruleId);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/estop`;
  const plane = await createControlPlane({
    store: createSqliteStore({
      file: join(await mkdtemp(join(tmpdir(), 'estop-notify-')), 'estop.db'),
      sha256: sha256Hex,
    }),
    adminToken: ADMIN,
    notify: {
      receivers: [
        {
          key: receiverKey(url),
          name: receiverName(url),
          url,
          secret: 'bench',
          events: new Set(['rule-created']),
          format: 'json',
        },
      ],
    },
  });
  const base = await plane.listen({ port: 0 });
  const latencies: number[] = [];
  try {
    for (let index = 0; index < STOPS; index += 1) {
      const delivered = new Promise<string>((resolve) => (arrived = resolve));
      const sent = performance.now();
      const response = await fetch(`${base}/v1/rules`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ scope: { tenant: `t${index}` }, mode: 'read_only', reason: 'bench' }),
      });
      const ruleId = ((await response.json()) as { rule: { id: string } }).rule.id;
      while (!arrivals.has(ruleId)) await delivered;
      latencies.push((arrivals.get(ruleId) as number) - sent);
    }
  } finally {
    await plane.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  return {
    stops: STOPS,
    store: 'sqlite',
    commit_to_delivery_p50_ms: Math.round(p50 * 100) / 100,
    p99_ms: Math.round(p99 * 100) / 100,
    goals: { p99_ms: atMost(p99, 1000, ' ms') },
  };
}
