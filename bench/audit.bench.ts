// Audit: durable, hash-chained appends through the control plane's group-committing writer on
// the embedded SQLite store (WAL, synchronous=FULL). Many producers append at once, as a busy
// control plane's requests do; each append's latency is from the call until it is durable.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { verifyChain, type AuditDraft } from '@estop/core';
import { AuditWriter } from '@estop/server';
import { createSqliteStore } from '@estop/store-sqlite';
import { sha256Hex } from '@estop/core/testing';
import { atLeast, percentile } from './stats.js';

const APPENDS = 200_000;
const PRODUCERS = 2000;

export async function run(): Promise<Record<string, unknown>> {
  const store = createSqliteStore({
    file: join(await mkdtemp(join(tmpdir(), 'estop-audit-')), 'estop.db'),
    sha256: sha256Hex,
  });
  await store.migrate();
  const writer = new AuditWriter(store.audit);
  const draft = (index: number): AuditDraft => ({
    at: new Date().toISOString(),
    action: 'rule-created',
    actor: { id: 'bench', kind: 'system' },
    reason: `append ${index}`,
    scope: { tenant: `tenant-${index % 100}` },
    ruleId: `r_${index}`,
  });

  const latencies = new Float64Array(APPENDS);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < APPENDS) {
        const index = next++;
        const begin = performance.now();
        await writer.append(draft(index));
        latencies[index] = performance.now() - begin;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;

  const entries = await store.audit.list({ limit: APPENDS + 1 });
  const chain = verifyChain(entries, sha256Hex);
  await store.close();
  if (!chain.ok || entries.length !== APPENDS) throw new Error('audit chain is not intact after the benchmark');

  const samples = Array.from(latencies);
  return {
    appends: APPENDS,
    producers: PRODUCERS,
    appends_per_s: Math.round(APPENDS / seconds),
    ack_p50_ms: Math.round(percentile(samples, 50) * 100) / 100,
    ack_p99_ms: Math.round(percentile(samples, 99) * 100) / 100,
    goals: { appends_per_s: atLeast(APPENDS / seconds, 50_000, '/s') },
  };
}
