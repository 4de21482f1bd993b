import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { isEstopError, verifyChain, type Rule, type Store } from '@estop/core';
import { expectDataSurvivesReopen, runStoreConformance, sha256Hex } from '@estop/core/testing';
import { createPostgresStore } from './postgres-store.js';

const url = process.env.ESTOP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The URL without its password, for messages. */
function shown(address: string): string {
  try {
    const parsed = new URL(address);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unparseable ESTOP_TEST_DATABASE_URL)';
  }
}

/** Why PostgreSQL cannot be used, or undefined when it can. */
async function unreachable(address: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: address, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

const problem = await unreachable(url);

if (problem === undefined) {
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  let counter = 0;
  const schemas = new Set<string>();

  /** A schema name no other run or test uses. */
  function freshSchema(): string {
    counter += 1;
    const schema = `estop_test_${process.pid}_${Date.now().toString(36)}_${counter}`;
    schemas.add(schema);
    return schema;
  }

  async function dropSchema(schema: string): Promise<void> {
    await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  }

  async function openStore(schema: string): Promise<Store> {
    const store = createPostgresStore({ url, sha256: sha256Hex, schema });
    await store.migrate();
    return store;
  }

  after(async () => {
    // Schemas of tests that failed before closing their store are dropped here.
    for (const schema of schemas) await dropSchema(schema);
    await admin.end();
  });

  runStoreConformance({
    name: 'PostgreSQL store',
    async create() {
      const schema = freshSchema();
      const store = await openStore(schema);
      return {
        ...store,
        async close() {
          await store.close();
          await dropSchema(schema);
        },
      };
    },
  });

  const actor = { id: 'ops', kind: 'human' } as const;
  const at = '2026-03-01T09:00:00.000Z';
  const rule = (id: string): Rule => ({
    id,
    scope: { tenant: 't' },
    mode: 'full_stop',
    reason: 'r',
    actor,
    createdAt: at,
    cancelInFlight: false,
  });

  describe('replicas sharing one PostgreSQL schema take turns', () => {
    it('two stores migrating at once both succeed, and their concurrent writes form one history', async () => {
      const schema = freshSchema();
      const replicas = [
        createPostgresStore({ url, sha256: sha256Hex, schema }),
        createPostgresStore({ url, sha256: sha256Hex, schema }),
      ];
      try {
        await Promise.all(replicas.map((replica) => replica.migrate()));
        const work = replicas.flatMap((replica, index) =>
          Array.from({ length: 10 }, (_, n) => [
            replica.rules.commit({
              create: [rule(`r-${index}-${n}`)],
              audit: [{ at, action: 'rule-created', actor }],
              at,
            }),
            replica.audit.append([
              { at, action: 'rule-expired', actor },
              { at, action: 'rule-expired', actor },
            ]),
          ]).flat(),
        );
        await Promise.all(work);
        const [first, second] = replicas as [Store, Store];
        assert.deepEqual(
          (await first.rules.changesSince(0)).map((event) => event.version),
          Array.from({ length: 20 }, (_, index) => index + 1),
        );
        assert.equal((await second.rules.state()).rules.length, 20);
        const chain = verifyChain(await second.audit.list(), sha256Hex);
        assert.deepEqual(chain.ok && chain.entries, 60);
        assert.deepEqual(await first.audit.head(), chain.ok ? chain.head : undefined);
      } finally {
        await Promise.all(replicas.map((replica) => replica.close()));
        await dropSchema(schema);
      }
    });
  });

  describe('replicas on one database share idempotency keys and approvals', () => {
    it('a key claimed through one pool is seen through the other; races give one winner', async () => {
      const schema = freshSchema();
      const [first, second] = [await openStore(schema), await openStore(schema)];
      try {
        const now = Date.now();
        const claimed = await first.idempotency.claim('acme\nsend-1', now, 60_000);
        assert.equal(claimed.status, 'claimed');
        assert.deepEqual(await second.idempotency.claim('acme\nsend-1', now, 60_000), { status: 'pending' });
        assert.equal(
          claimed.status === 'claimed' && (await first.idempotency.complete('acme\nsend-1', claimed.claimId, '1')),
          true,
        );
        assert.deepEqual(await second.idempotency.claim('acme\nsend-1', now, 60_000), { status: 'done', result: '1' });

        const racing = await Promise.all(
          Array.from({ length: 50 }, (_, n) =>
            (n % 2 === 0 ? first : second).idempotency.claim('acme\nsend-2', now, 60_000),
          ),
        );
        assert.equal(racing.filter((claim) => claim.status === 'claimed').length, 1);
        assert.equal(racing.filter((claim) => claim.status === 'pending').length, 49);

        const request = {
          id: 'ap1',
          hash: 'a'.repeat(64),
          call: { tenant: 'acme', tool: 'email.send', args: { to: 'x' } },
          requestedBy: actor,
          at,
          expiresAt: at,
        };
        await first.approvals.create(request, { at, action: 'approval-requested', actor });
        await second.approvals.decide(
          'ap1',
          { outcome: 'approved', actor, reason: 'ok', at },
          { at, action: 'approval-approved', actor },
        );
        const used = await Promise.all(
          Array.from({ length: 20 }, (_, n) =>
            (n % 2 === 0 ? first : second).approvals.consume('ap1', request.hash, at),
          ),
        );
        assert.equal(used.filter(Boolean).length, 1);
        assert.equal(verifyChain(await first.audit.list(), sha256Hex).ok, true);
      } finally {
        await Promise.all([first.close(), second.close()]);
        await dropSchema(schema);
      }
    });
  });

  describe('a PostgreSQL store keeps its data across close and reopen', () => {
    it('a new store on the same schema sees the same state, events and chain', async () => {
      const schema = freshSchema();
      try {
        await expectDataSurvivesReopen(() => openStore(schema));
      } finally {
        await dropSchema(schema);
      }
    });
  });

  describe('estop keeps to its configured schema', () => {
    it('migrate creates the schema and puts every table in it', async () => {
      const schema = freshSchema();
      const store = await openStore(schema);
      try {
        const { rows } = await admin.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
          [schema],
        );
        assert.deepEqual(
          rows.map((row) => row.table_name),
          [
            'estop_admin_requests',
            'estop_approvals',
            'estop_audit',
            'estop_changes',
            'estop_drafts',
            'estop_enforcers',
            'estop_head',
            'estop_idempotency_keys',
            'estop_migrations',
            'estop_notify_cursors',
            'estop_notify_deliveries',
            'estop_once',
            'estop_replicas',
            'estop_restore_requests',
            'estop_rules',
            'estop_runs',
            'estop_store',
            'estop_tokens',
          ],
        );
      } finally {
        await store.close();
        await dropSchema(schema);
      }
    });

    it('a schema name that is not a plain identifier is refused with config_invalid', () => {
      assert.throws(
        () => createPostgresStore({ url, sha256: sha256Hex, schema: 'x"; DROP TABLE y; --' }),
        (error) => isEstopError(error, 'config_invalid'),
      );
    });

    it('a schema newer than this code is refused with config_invalid', async () => {
      const schema = freshSchema();
      await (await openStore(schema)).close();
      await admin.query(
        `INSERT INTO ${pg.escapeIdentifier(schema)}.estop_migrations (version, name) VALUES (999, 'future')`,
      );
      const store = createPostgresStore({ url, sha256: sha256Hex, schema });
      try {
        await assert.rejects(store.migrate(), (error) => isEstopError(error, 'config_invalid'));
      } finally {
        await store.close();
        await dropSchema(schema);
      }
    });
  });

  describe('an unreachable PostgreSQL is reported as unavailable', () => {
    it('calls reject with unavailable instead of hanging', async () => {
      const store = createPostgresStore({
        url: 'postgres://postgres@127.0.0.1:1/none',
        sha256: sha256Hex,
        pool: { connectionTimeoutMillis: 2000 },
      });
      try {
        await assert.rejects(store.rules.state(), (error) => isEstopError(error, 'unavailable'));
      } finally {
        await store.close();
      }
    });
  });
} else if (process.env.CI === 'true') {
  it('PostgreSQL is reachable for the PostgreSQL store tests', () => {
    assert.fail(`CI needs PostgreSQL at ${shown(url)} (set ESTOP_TEST_DATABASE_URL to change it): ${problem}`);
  });
} else {
  it(
    'PostgreSQL store conformance',
    {
      skip: `PostgreSQL is not reachable at ${shown(url)} (${problem}); start it or set ESTOP_TEST_DATABASE_URL`,
    },
    () => {},
  );
}
