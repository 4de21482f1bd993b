import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { isEstopError, verifyChain, type Store } from '@estop/core';
import { expectDataSurvivesReopen, runStoreConformance, sha256Hex } from '@estop/core/testing';
import { createSqliteStore } from './sqlite-store.js';

const WRITER = fileURLToPath(new URL('../test/sqlite-writer.ts', import.meta.url));
const CLAIMER = fileURLToPath(new URL('../test/sqlite-claimer.ts', import.meta.url));
const directories: string[] = [];

/** A database path in a fresh temporary directory, one level down so the store must create it. */
async function freshFile(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'estop-sqlite-'));
  directories.push(directory);
  return join(directory, 'data', 'estop.db');
}

async function openStore(file: string): Promise<Store> {
  const store = createSqliteStore({ file, sha256: sha256Hex });
  await store.migrate();
  return store;
}

/** Starts a writer process; resolves with the versions it reported, once it exits. */
function startWriter(file: string, name: string, count: number, startMs = 0) {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', WRITER, file, name, String(count), String(startMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const reported: number[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => reported.push(Number(line)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, reported, exited };
}

after(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

runStoreConformance({ name: 'SQLite store on a file', create: async () => openStore(await freshFile()) });
runStoreConformance({ name: 'SQLite store in memory', create: async () => openStore(':memory:') });

describe('a SQLite store keeps its data across close and reopen', () => {
  it('rules, lifts, events, the audit chain, tokens and enforcers are all there after reopening', async () => {
    const file = await freshFile();
    await expectDataSurvivesReopen(() => openStore(file));
  });
});

describe('processes sharing one SQLite file take turns', () => {
  it('three processes committing at once produce each version once and one valid chain', async () => {
    const file = await freshFile();
    // Migrating first keeps the test about commits; migrating concurrently is covered below.
    await (await openStore(file)).close();
    const writers = ['a', 'b', 'c'].map((name) => startWriter(file, name, 15));
    const results = await Promise.all(writers.map((writer) => writer.exited));
    assert.deepEqual(results, Array(3).fill({ code: 0, signal: null }));
    const reported = writers.flatMap((writer) => writer.reported).sort((a, b) => a - b);
    assert.deepEqual(
      reported,
      Array.from({ length: 45 }, (_, index) => index + 1),
    );
    const store = await openStore(file);
    try {
      assert.equal((await store.rules.state()).rules.length, 45);
      const chain = verifyChain(await store.audit.list({ limit: 1000 }), sha256Hex);
      assert.deepEqual(chain.ok && chain.entries, 135);
    } finally {
      await store.close();
    }
  });

  it('processes migrating a new file at the same time all succeed', async () => {
    const file = await freshFile();
    const writers = ['a', 'b', 'c', 'd'].map((name) => startWriter(file, name, 1));
    const results = await Promise.all(writers.map((writer) => writer.exited));
    assert.deepEqual(results, Array(4).fill({ code: 0, signal: null }));
  });
});

describe('processes sharing one SQLite file never both win a key or an approval', () => {
  it('four processes claiming the same 25 keys and consuming one approval: one winner each', async () => {
    const file = await freshFile();
    const setup = await openStore(file);
    const actor = { id: 'ops', kind: 'human' } as const;
    const at = '2026-03-01T09:00:00.000Z';
    const hash = 'f'.repeat(64);
    await setup.approvals.create(
      {
        id: 'ap1',
        hash,
        call: { tenant: 'acme', tool: 'email.send', args: {} },
        requestedBy: actor,
        at,
        expiresAt: at,
      },
      { at, action: 'approval-requested', actor },
    );
    await setup.approvals.decide(
      'ap1',
      { outcome: 'approved', actor, reason: 'ok', at },
      { at, action: 'approval-approved', actor },
    );
    await setup.close();
    const startMs = String(Date.now() + 1500);
    const claimers = Array.from({ length: 4 }, () => {
      const child = spawn(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', CLAIMER, file, '25', startMs, hash],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const lines: string[] = [];
      createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
      return { lines, exited: new Promise<number | null>((resolve) => child.on('close', resolve)) };
    });
    assert.deepEqual(await Promise.all(claimers.map((claimer) => claimer.exited)), [0, 0, 0, 0]);
    const answers = claimers.flatMap((claimer) => claimer.lines);
    for (let n = 1; n <= 25; n += 1) {
      const statuses = answers.filter((line) => line.startsWith(`k${n} `)).map((line) => line.split(' ')[1]);
      assert.deepEqual(statuses.sort(), ['claimed', 'pending', 'pending', 'pending'], `key k${n}`);
    }
    assert.deepEqual(answers.filter((line) => line.startsWith('consume ')).sort(), [
      'consume false',
      'consume false',
      'consume false',
      'consume true',
    ]);
  });
});

describe('a change reported as done survives kill -9', () => {
  it('every version a killed writer reported is in the file, with a valid chain', async () => {
    const file = await freshFile();
    await (await openStore(file)).close();
    const writer = startWriter(file, 'doomed', 0);
    // Kill it mid-stream, while commits are in flight; if it dies on its own, the signal check fails.
    let check: NodeJS.Timeout | undefined;
    await Promise.race([
      writer.exited,
      new Promise<void>((resolve) => {
        check = setInterval(() => writer.reported.length >= 30 && resolve(), 5);
      }),
    ]);
    clearInterval(check);
    writer.child.kill('SIGKILL');
    const { signal } = await writer.exited;
    assert.equal(signal, 'SIGKILL');
    const store = await openStore(file);
    try {
      const versions = new Set((await store.rules.changesSince(0)).map((event) => event.version));
      for (const version of writer.reported) assert.ok(versions.has(version), `version ${version} was lost`);
      assert.equal(verifyChain(await store.audit.list({ limit: 100_000 }), sha256Hex).ok, true);
    } finally {
      await store.close();
    }
  });
});

describe('an idempotency key reported as claimed survives kill -9', () => {
  it('every key a killed claimer was told it holds is still held', async () => {
    const file = await freshFile();
    await (await openStore(file)).close();
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', CLAIMER, file, '100000', '0', 'f'.repeat(64)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const claimed: string[] = [];
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const [key, status] = line.split(' ');
        if (status === 'claimed') claimed.push(key as string);
        if (claimed.length === 200) resolve();
      });
      void exited.then(() => resolve());
    });
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const store = await openStore(file);
    try {
      const nowMs = Date.parse('2026-03-01T09:00:01.000Z');
      for (const key of claimed) {
        assert.deepEqual(await store.idempotency.claim(key, nowMs, 60_000), { status: 'pending' }, `key ${key}`);
      }
    } finally {
      await store.close();
    }
  });
});

describe('a schema newer than this code is refused', () => {
  it('migrate throws config_invalid instead of writing to a schema it does not know', async () => {
    const file = await freshFile();
    await (await openStore(file)).close();
    const raw = new Database(file);
    raw.prepare("INSERT INTO estop_migrations (version, name) VALUES (999, 'from the future')").run();
    raw.close();
    const store = createSqliteStore({ file, sha256: sha256Hex });
    try {
      await assert.rejects(store.migrate(), (error) => isEstopError(error, 'config_invalid'));
    } finally {
      await store.close();
    }
  });
});
