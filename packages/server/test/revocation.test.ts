import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Store } from '@estop/core';
import { createPostgresStore } from '@estop/store-postgres';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { eventually, startTestControlPlane, type TestControlPlane } from './harness.js';
import { databaseUrl, postgresSchema } from './postgres-schema.js';

/**
 * How long a stream of a revoked token may outlive its revocation in these tests: far above
 * the 1 s the server promises (so a slow machine does not fail them), far below the streams'
 * unbounded life before revocation closed them.
 */
const CLOSED_WITHIN_MS = 5000;

/** Opens a server-sent-event stream and resolves `ended` when the server closes it. */
async function openStream(url: string, token: string): Promise<{ ended: Promise<void>; abort: () => void }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  assert.equal(response.status, 200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const ended = (async () => {
    try {
      for (;;) if ((await reader.read()).done) return;
    } catch {
      // Aborted or cut: either way the stream is over.
    }
  })();
  return { ended, abort: () => controller.abort() };
}

async function endsInTime(ended: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSED_WITHIN_MS)));
  const result = await Promise.race([ended.then(() => true), late]);
  clearTimeout(timer);
  return result;
}

async function tokenWithId(cp: TestControlPlane, role: string): Promise<{ secret: string; id: string }> {
  const created = await cp.request('/v1/tokens', { body: { name: `${role}-${Math.random()}`.slice(0, 30), role } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { secret: created.body.token as string, id: created.body.info.id as string };
}

describe('revoking a token ends what it already opened', () => {
  it('its /v1/stream and /v1/events are closed, and its enforcer is no longer connected', async () => {
    const cp = await startTestControlPlane({ keepAliveMs: 60_000 });
    try {
      const enforcer = await tokenWithId(cp, 'enforcer');
      const viewer = await tokenWithId(cp, 'viewer');
      const registered = await cp.request('/v1/enforcers', {
        token: enforcer.secret,
        body: { id: 'sdk_revoked', name: 'worker', kind: 'sdk' },
      });
      assert.equal(registered.status, 201);
      const stream = await openStream(`${cp.url}/v1/stream?enforcer=sdk_revoked`, enforcer.secret);
      const events = await openStream(`${cp.url}/v1/events`, viewer.secret);
      await eventually(async () => (await cp.request('/v1/enforcers')).body.enforcers[0]?.connected === true);
      assert.equal((await cp.request(`/v1/tokens/${enforcer.id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await cp.request(`/v1/tokens/${viewer.id}`, { method: 'DELETE' })).status, 204);
      assert.equal(await endsInTime(stream.ended), true, 'the stream of the revoked enforcer token is still open');
      assert.equal(await endsInTime(events.ended), true, 'the event stream of the revoked viewer token is still open');
      const listed = await cp.request('/v1/enforcers');
      assert.equal(listed.body.enforcers[0].connected, false);
      assert.equal((await cp.request('/v1/whoami', { token: enforcer.secret })).status, 401);
    } finally {
      await cp.close();
    }
  });

  it('a token that is not revoked keeps its stream', async () => {
    const cp = await startTestControlPlane({ keepAliveMs: 60_000 });
    try {
      const kept = await tokenWithId(cp, 'viewer');
      const revoked = await tokenWithId(cp, 'viewer');
      const keptStream = await openStream(`${cp.url}/v1/events`, kept.secret);
      const revokedStream = await openStream(`${cp.url}/v1/events`, revoked.secret);
      await cp.request(`/v1/tokens/${revoked.id}`, { method: 'DELETE' });
      assert.equal(await endsInTime(revokedStream.ended), true);
      let keptEnded = false;
      void keptStream.ended.then(() => (keptEnded = true));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(keptEnded, false);
      keptStream.abort();
    } finally {
      await cp.close();
    }
  });

  const postgres = postgresSchema('estop_revocation');
  after(() => postgres.drop());

  it('on two replicas of one PostgreSQL, a revocation on one closes a stream held on the other', async (context) => {
    if (!(await postgres.ready(context))) return;
    const store = (): Store => createPostgresStore({ url: databaseUrl, schema: postgres.schema, sha256: sha256Hex });
    const first = await startTestControlPlane({ store: store(), keepAliveMs: 60_000 });
    const second = await startTestControlPlane({ store: store(), keepAliveMs: 60_000 });
    try {
      const enforcer = await tokenWithId(first, 'enforcer');
      const viewer = await tokenWithId(first, 'viewer');
      const stream = await openStream(`${second.url}/v1/stream`, enforcer.secret);
      const events = await openStream(`${second.url}/v1/events`, viewer.secret);
      assert.equal((await first.request(`/v1/tokens/${enforcer.id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await first.request(`/v1/tokens/${viewer.id}`, { method: 'DELETE' })).status, 204);
      assert.equal(await endsInTime(stream.ended), true, 'the other replica kept the stream open');
      assert.equal(await endsInTime(events.ended), true, 'the other replica kept the event stream open');
      await eventually(async () => (await second.request('/v1/whoami', { token: enforcer.secret })).status === 401);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
