import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPostgresStore } from '@estop/store-postgres';
import { createSqliteStore } from '@estop/store-sqlite';
import { receiverKey, receiverName, type Receiver } from '../src/notify/receiver.js';
import { eventually, sha256Hex, startTestControlPlane, type TestControlPlane } from './harness.js';
import { databaseUrl, postgresSchema } from './postgres-schema.js';
import { startReceiver, type TestReceiver } from './webhook-receiver.js';
import type { NotifyEvent } from '@estop/core';

const SECRET = 'test-secret';
const FAST_RETRY = { baseMs: 20, maxMs: 100, attempts: 3 };

function receiverAt(
  url: string,
  options: { events?: NotifyEvent[]; format?: 'json' | 'slack'; secret?: string } = {},
): Receiver {
  return {
    key: receiverKey(url),
    name: receiverName(url),
    url,
    secret: 'secret' in options ? options.secret : SECRET,
    events: new Set(
      options.events ?? [
        'rule-created',
        'rule-lifted',
        'sentinel-tripped',
        'enforcement-lagging',
        'drill-failed',
        'alert-resolved',
      ],
    ),
    format: options.format ?? 'json',
  };
}

async function createRule(cp: TestControlPlane, tenant: string): Promise<string> {
  const created = await cp.request('/v1/rules', {
    body: { scope: { tenant }, mode: 'read_only', reason: `stop ${tenant}` },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.rule.id as string;
}

describe('a committed change is notified to each receiver, signed, with a delivery id', () => {
  let hooks: TestReceiver;
  let slack: TestReceiver;
  let lifts: TestReceiver;
  let cp: TestControlPlane;
  before(async () => {
    hooks = await startReceiver();
    slack = await startReceiver();
    lifts = await startReceiver();
    cp = await startTestControlPlane({
      notify: {
        receivers: [
          receiverAt(hooks.url),
          receiverAt(slack.url, { format: 'slack', secret: undefined }),
          receiverAt(lifts.url, { events: ['rule-lifted'] }),
        ],
        retry: FAST_RETRY,
      },
    });
  });
  after(async () => {
    await cp.close();
    await Promise.all([hooks.close(), slack.close(), lifts.close()]);
  });

  it('sends rule-created with a valid HMAC-SHA256 signature of the raw body and the headers', async () => {
    const ruleId = await createRule(cp, 'acme');
    const got = await eventually(() => hooks.received.find((request) => request.json.data?.entry?.ruleId === ruleId));
    assert.equal(got.signed, true, 'the signature verifies');
    assert.equal(got.headers['x-estop-event'], 'rule-created');
    assert.match(String(got.headers['x-estop-delivery']), /^dl_[0-9a-f]{32}$/);
    assert.equal(got.json.id, got.headers['x-estop-delivery']);
    assert.equal(got.json.event, 'rule-created');
    assert.equal(got.json.data.entry.action, 'rule-created');
    assert.deepEqual(got.json.data.entry.scope, { tenant: 'acme' });
    assert.match(got.json.text, /read_only on tenant=acme/);
  });

  it('sends a Slack-compatible body to a slack receiver, and only subscribed events', async () => {
    const ruleId = await createRule(cp, 'slacky');
    const got = await eventually(() => slack.received.find((request) => String(request.json.text).includes('slacky')));
    assert.deepEqual(Object.keys(got.json), ['text']);
    assert.equal(got.headers['x-estop-signature'], undefined, 'a receiver without a secret is not signed');
    const lifted = await cp.request(`/v1/rules/${ruleId}/lift`, { body: { reason: 'done' } });
    assert.equal(lifted.status, 200, JSON.stringify(lifted.body));
    const lift = await eventually(() => lifts.received.find((request) => request.json.data?.entry?.ruleId === ruleId));
    assert.equal(lift.json.event, 'rule-lifted');
    assert.ok(
      lifts.received.every((request) => request.json.event === 'rule-lifted'),
      'rule-created is not sent to it',
    );
  });

  it('estop notify test reaches every receiver and says how each attempt went', async () => {
    const tested = await cp.request('/v1/notify/test', { body: {} });
    assert.equal(tested.status, 200, JSON.stringify(tested.body));
    assert.equal(tested.body.results.length, 3);
    assert.ok(tested.body.results.every((result: any) => result.attempt.ok === true));
    const id = tested.body.results[0].delivery as string;
    assert.ok(
      hooks.received.some((request) => request.headers['x-estop-delivery'] === id && request.json.event === 'test'),
    );
  });

  it('shows each receiver and its deliveries without their bodies', async () => {
    const status = await cp.request('/v1/notify');
    assert.equal(status.status, 200);
    const [first] = status.body.receivers;
    assert.equal(first.name, new URL(hooks.url).origin, 'the path and query of a URL are not shown');
    assert.ok(first.delivered >= 2);
    assert.ok(status.body.deliveries.every((delivery: any) => delivery.body === undefined));
    assert.ok(!JSON.stringify(status.body).includes('key=abc'));
  });
});

describe('a receiver that fails gets the same delivery again, with backoff, until it answers or estop gives up', () => {
  it('retries with the same id until a 2xx, and counts the attempts', async () => {
    const receiver = await startReceiver();
    let answered = 0;
    receiver.answer = () => ((answered += 1) <= 2 ? 503 : 204);
    const cp = await startTestControlPlane({ notify: { receivers: [receiverAt(receiver.url)], retry: FAST_RETRY } });
    try {
      await createRule(cp, 'flaky');
      await eventually(() => receiver.received.length >= 3);
      assert.equal(new Set(receiver.received.map((request) => request.headers['x-estop-delivery'])).size, 1);
      const status = await eventually(async () => {
        const body = (await cp.request('/v1/notify')).body;
        return body.receivers[0].delivered === 1 ? body : undefined;
      });
      assert.equal(status.deliveries[0].attempts, 3);
      assert.equal(status.deliveries[0].lastError, 'HTTP 503');
      const metrics = await (await fetch(`${cp.url}/metrics`)).text();
      assert.match(metrics, /estop_notifications_total\{receiver="http:\/\/127\.0\.0\.1:\d+",outcome="retrying"\} 2/);
      assert.match(metrics, /estop_notifications_total\{receiver="[^"]+",outcome="delivered"\} 1/);
    } finally {
      await cp.close();
      await receiver.close();
    }
  });

  it('gives up after the last attempt and shows the delivery failed with its error', async () => {
    const receiver = await startReceiver();
    receiver.answer = () => 500;
    const cp = await startTestControlPlane({ notify: { receivers: [receiverAt(receiver.url)], retry: FAST_RETRY } });
    try {
      await createRule(cp, 'down');
      const failed = await eventually(async () => {
        const body = (await cp.request('/v1/notify?status=failed')).body;
        return body.deliveries[0];
      });
      assert.equal(failed.attempts, 3);
      assert.equal(failed.lastError, 'HTTP 500');
      assert.equal(receiver.received.length, 3);
    } finally {
      await cp.close();
      await receiver.close();
    }
  });
});

describe('nothing committed is lost between the commit and the delivery', () => {
  it('a change committed while no control plane ran is delivered when one starts', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'estop-notify-')), 'estop.db');
    const receiver = await startReceiver();
    const open = async () => {
      const store = createSqliteStore({ file, sha256: sha256Hex });
      return startTestControlPlane({ store, notify: { receivers: [receiverAt(receiver.url)], retry: FAST_RETRY } });
    };
    try {
      // The receiver's cursor is made on the first start.
      await (await open()).close();
      const store = createSqliteStore({ file, sha256: sha256Hex });
      await store.migrate();
      const at = new Date().toISOString();
      const rule = {
        id: 'r_offline',
        scope: { tenant: 'acme' },
        mode: 'read_only' as const,
        reason: 'offline',
        actor: { id: 'ops', kind: 'human' as const },
        createdAt: at,
        cancelInFlight: false,
      };
      await store.rules.commit({
        create: [rule],
        audit: [
          {
            at,
            action: 'rule-created',
            actor: rule.actor,
            scope: rule.scope,
            ruleId: rule.id,
            data: { mode: 'read_only' },
          },
        ],
        at,
      });
      await store.close();
      assert.equal(receiver.received.length, 0);
      const cp = await open();
      try {
        const got = await eventually(() =>
          receiver.received.find((request) => request.json.data?.entry?.ruleId === 'r_offline'),
        );
        assert.equal(got.signed, true);
      } finally {
        await cp.close();
      }
    } finally {
      await receiver.close();
    }
  });

  it('a delivery that failed before a restart is retried after it, with the same id, and delivered', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'estop-notify-')), 'estop.db');
    const receiver = await startReceiver();
    receiver.answer = () => 503;
    const open = () =>
      startTestControlPlane({
        store: createSqliteStore({ file, sha256: sha256Hex }),
        notify: { receivers: [receiverAt(receiver.url)], retry: { baseMs: 60_000, maxMs: 60_000, attempts: 5 } },
      });
    try {
      const first = await open();
      await createRule(first, 'restart');
      await eventually(() => receiver.received.length >= 1);
      await first.close();
      receiver.answer = () => 200;
      // The retry waits a minute by the clock: a restarted process that found it due would send it.
      const second = await startTestControlPlane({
        store: createSqliteStore({ file, sha256: sha256Hex }),
        clock: { now: () => Date.now() + 61_000 },
        notify: { receivers: [receiverAt(receiver.url)] },
      });
      try {
        await eventually(() => receiver.received.length >= 2);
        assert.equal(new Set(receiver.received.map((request) => request.headers['x-estop-delivery'])).size, 1);
        const status = await eventually(async () => {
          const body = (await second.request('/v1/notify')).body;
          return body.receivers[0].delivered === 1 ? body : undefined;
        });
        assert.equal(status.deliveries[0].attempts, 2);
      } finally {
        await second.close();
      }
    } finally {
      await receiver.close();
    }
  });
});

describe('a stop some enforcer has not applied in time is notified, naming it', () => {
  it('sends enforcement-lagging once with the pending enforcers', async () => {
    const receiver = await startReceiver();
    const cp = await startTestControlPlane({
      notify: { receivers: [receiverAt(receiver.url)], laggingAfterMs: 200, retry: FAST_RETRY },
    });
    const controller = new AbortController();
    try {
      const token = await cp.token('enforcer');
      const registered = await cp.request('/v1/enforcers', {
        token,
        body: { id: 'slow-worker', name: 'slow-worker', kind: 'sdk' },
      });
      assert.equal(registered.status, 201, JSON.stringify(registered.body));
      // A stream held open that never acknowledges what it is sent.
      const stream = await fetch(`${cp.url}/v1/stream?enforcer=slow-worker`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      assert.equal(stream.status, 200);
      const ruleId = await createRule(cp, 'lagging');
      const got = await eventually(() =>
        receiver.received.find((request) => request.json.event === 'enforcement-lagging'),
      );
      assert.deepEqual(
        got.json.data.pending.map((enforcer: { name: string }) => enforcer.name),
        ['slow-worker'],
      );
      assert.equal(got.json.data.rules[0].id, ruleId);
      assert.equal(got.headers['x-estop-event'], 'enforcement-lagging');
    } finally {
      controller.abort();
      await cp.close();
      await receiver.close();
    }
  });
});

describe('replicas on one PostgreSQL queue each notification once and lease each attempt to one of them', () => {
  const postgres = postgresSchema('estop_notify');
  after(() => postgres.drop());

  it('three replicas hearing the same stops deliver each with one id, once while none fails', async (context) => {
    if (!(await postgres.ready(context))) return;
    const receiver = await startReceiver();
    const replicas: TestControlPlane[] = [];
    try {
      for (let index = 0; index < 3; index += 1) {
        replicas.push(
          await startTestControlPlane({
            store: createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema: postgres.schema }),
            notify: { receivers: [receiverAt(receiver.url)], retry: FAST_RETRY },
            replicaPollMs: 100,
          }),
        );
      }
      const ruleIds: string[] = [];
      for (let index = 0; index < 6; index += 1) {
        ruleIds.push(await createRule(replicas[index % 3] as TestControlPlane, `replica-${index}`));
      }
      const ruleOf = (request: { json: any }) => request.json.data?.entry?.ruleId as string | undefined;
      await eventually(() => ruleIds.every((id) => receiver.received.some((request) => ruleOf(request) === id)));
      // Let every replica's poll pass over the same entries again.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (const id of ruleIds) {
        const requests = receiver.received.filter((request) => ruleOf(request) === id);
        assert.equal(requests.length, 1, `rule ${id} was POSTed ${requests.length} times`);
      }
      const summary = (await (replicas[0] as TestControlPlane).request('/v1/notify')).body.receivers[0];
      assert.equal(summary.delivered, ruleIds.length);
      assert.equal(summary.pending, 0);
    } finally {
      for (const replica of replicas) await replica.close();
      await receiver.close();
    }
  });
});
