import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEstopError, type Call } from '@estop/core';
import { createGuard } from '../src/index.js';
import { FakeControlPlane } from './fake-control-plane.js';
import { createTestGuard } from './test-guard.js';
import { waitFor } from './wait-for.js';

const acmeEmail: Call = { tenant: 'acme', tool: 'email.send', effect: 'write' };

describe('a guard that reconnects resumes from the version it holds', () => {
  it('sends its version as Last-Event-ID and applies the changes it missed, without a snapshot', async () => {
    const fake = await FakeControlPlane.start({ resumes: true });
    const { guard } = createTestGuard(fake);
    const applied: number[] = [];
    guard.onChange((change) => applied.push(change.version));
    try {
      await guard.ready();
      assert.deepEqual(fake.lastEventIds, [undefined]);
      fake.flip({ tenant: 'globex' }, 'read_only');
      await waitFor('version 2', () => guard.version === 2);
      fake.dropConnections();
      const rule = fake.flip({ tenant: 'acme' }, 'full_stop');
      await waitFor('the resumed stream', () => guard.version === 3);
      assert.equal(fake.lastEventIds.at(-1), '2');
      assert.equal(guard.decide(acmeEmail).ruleId, rule.id);
      // The resume at 2 counts as a fresh start (acknowledged again), then 3 applies as a change.
      assert.deepEqual(applied, [1, 2, 2, 3]);
      await waitFor('the acknowledgement of 3', () => fake.acksFrom(guard.id).some((ack) => ack.version === 3));
    } finally {
      await guard.close();
      await fake.close();
    }
  });

  it('acknowledges the version it holds again on the new connection, even when nothing changed', async () => {
    const fake = await FakeControlPlane.start({ resumes: true });
    const { guard } = createTestGuard(fake);
    try {
      await guard.ready();
      await waitFor('the first acknowledgement', () => fake.acksFrom(guard.id).length === 1);
      fake.dropConnections();
      await waitFor('an acknowledgement on the new connection', () => fake.acksFrom(guard.id).length === 2);
      assert.deepEqual(fake.lastEventIds, [undefined, '1']);
      assert.deepEqual(
        fake.acksFrom(guard.id).map((ack) => ack.version),
        [1, 1],
      );
    } finally {
      await guard.close();
      await fake.close();
    }
  });

  it('after a gap it asks for a snapshot, not a resume', async () => {
    const fake = await FakeControlPlane.start({ resumes: true });
    const { guard } = createTestGuard(fake);
    try {
      await guard.ready();
      const streams = fake.streamsOpened;
      fake.pushWithGap([], []);
      await waitFor('the resync', () => fake.streamsOpened > streams && guard.version === fake.version);
      assert.equal(fake.lastEventIds.at(-1), undefined);
    } finally {
      await guard.close();
      await fake.close();
    }
  });
});

describe('a guard given several control-plane replicas uses one and fails over to the next', () => {
  async function twoReplicas() {
    const first = await FakeControlPlane.start({ resumes: true });
    const second = await FakeControlPlane.start({ resumes: true });
    const { guard, errors } = createTestGuard(first, { url: [first.url, second.url] });
    await guard.ready();
    const on = first.openStreams === 1 ? first : second;
    const other = on === first ? second : first;
    assert.equal(on.openStreams + other.openStreams, 1);
    return {
      guard,
      errors,
      on,
      other,
      async close() {
        await guard.close();
        await first.close();
        await second.close();
      },
    };
  }

  it('moves to the other when the one it is on goes away, registers there and acknowledges what it applies', async () => {
    const replicas = await twoReplicas();
    const { guard, on, other } = replicas;
    try {
      assert.equal(other.registrations.length, 0);
      await on.close();
      await waitFor('the stream on the other replica', () => other.openStreams === 1);
      assert.deepEqual(
        other.registrations.map((registration) => registration.id),
        [guard.id],
      );
      // It resumed there from the version it held.
      assert.deepEqual(other.lastEventIds, ['1']);
      const rule = other.flip({ tenant: 'acme' }, 'read_only');
      await waitFor('the flip made on the other replica', () => guard.decide(acmeEmail).ruleId === rule.id);
      await waitFor('its acknowledgement there', () =>
        other.acksFrom(guard.id).some((ack) => ack.version === other.version),
      );
      assert.ok(replicas.errors.some((error) => /ended|reach/.test(error.message)));
    } finally {
      await replicas.close();
    }
  });

  it('moves the stream too when another request fails at its replica with a 5xx', async () => {
    const replicas = await twoReplicas();
    const { guard, on, other } = replicas;
    try {
      // The other replica holds the same version (a guard does not go back to an older one).
      other.flip({ tenant: 'acme' }, 'read_only');
      on.failRequests(true);
      // Applying it means acknowledging it, which the failing replica answers 503.
      on.flip({ tenant: 'acme' }, 'read_only');
      await waitFor('the stream on the other replica', () => other.openStreams === 1 && on.openStreams === 0);
      assert.deepEqual(
        other.registrations.map((registration) => registration.id),
        [guard.id],
      );
      await waitFor('an acknowledgement on the other replica', () => other.acksFrom(guard.id).length > 0);
    } finally {
      await replicas.close();
    }
  });

  it('keeps its last state, and fails safe after its staleness bound, while no replica answers', async () => {
    const first = await FakeControlPlane.start({ resumes: true });
    const second = await FakeControlPlane.start({ resumes: true });
    const { guard } = createTestGuard(first, { url: [first.url, second.url], staleAfterMs: 300 });
    try {
      await guard.ready();
      const read: Call = { tenant: 'globex', tool: 'crm.read', effect: 'read' };
      const write: Call = { tenant: 'globex', tool: 'crm.update', effect: 'write' };
      assert.equal(guard.decide(write).outcome, 'allow');
      await first.close();
      await second.close();
      await waitFor('the staleness bound', () => guard.stale);
      assert.equal(guard.decide(write).outcome, 'deny');
      assert.equal(guard.decide(write).source, 'stale');
      assert.equal(guard.decide(read).outcome, 'allow');
    } finally {
      await guard.close();
    }
  });
});

describe('the url option names one control plane or several', () => {
  const base = { token: 'estop_x', breakGlass: {}, onError: () => {} };

  it('takes a list or a comma-separated string', async () => {
    for (const url of [['http://a:7070', 'http://b:7070'], 'http://a:7070, http://b:7070']) {
      const guard = createGuard({ ...base, url, readyTimeoutMs: 50 });
      await guard.close();
    }
  });

  it('refuses an empty list, an entry that is not an http(s) URL and an entry listed twice, naming each', () => {
    const refusal = (url: unknown): string => {
      try {
        createGuard({ ...base, url: url as string });
      } catch (error) {
        assert.ok(isEstopError(error, 'config_invalid'));
        return error.message;
      }
      assert.fail(`${JSON.stringify(url)} was accepted`);
    };
    assert.match(refusal([]), /url must be a URL, a comma-separated list of URLs or a non-empty list/);
    assert.match(refusal(['http://a:7070', 'ftp://b']), /url\[1\] must use http or https, got ftp:/);
    assert.match(refusal('http://a:7070,nope'), /url\[1\] must be an absolute http\(s\) URL, got "nope"/);
    assert.match(refusal(['http://a:7070/', 'http://a:7070']), /url\[1\] lists http:\/\/a:7070\/ again/);
    assert.match(refusal([42]), /url must be an absolute http\(s\) URL, got 42/);
  });
});

describe('a guard registers and opens its stream in one request', () => {
  it('costs a replica it moves to one request: the registration that answers the stream', async () => {
    const first = await FakeControlPlane.start({ resumes: true });
    const second = await FakeControlPlane.start({ resumes: true });
    const { guard } = createTestGuard(first, { url: [first.url, second.url] });
    try {
      await guard.ready();
      const on = first.openStreams === 1 ? first : second;
      const other = on === first ? second : first;
      assert.equal(on.connects, 1);
      assert.equal(on.streamsOpened, 1);
      await on.close();
      await waitFor('the stream on the other replica', () => other.openStreams === 1);
      assert.equal(other.connects, 1);
      assert.equal(other.streamsOpened, 1);
      assert.deepEqual(
        other.registrations.map((registration) => registration.id),
        [guard.id],
      );
      assert.deepEqual(other.lastEventIds, ['1']);
      await waitFor('its acknowledgement there', () => other.acksFrom(guard.id).length === 1);
    } finally {
      await guard.close();
      await first.close();
      await second.close();
    }
  });

  it('registers again with every stream it opens, so a replica that forgot it knows it at once', async () => {
    const fake = await FakeControlPlane.start({ resumes: true });
    const { guard } = createTestGuard(fake);
    try {
      await guard.ready();
      fake.dropConnections();
      await waitFor('the second stream', () => fake.openStreams === 1 && fake.streamsOpened === 2);
      assert.equal(fake.connects, 2);
      assert.equal(fake.registrations.length, 2);
      assert.deepEqual(fake.lastEventIds, [undefined, '1']);
    } finally {
      await guard.close();
      await fake.close();
    }
  });

  it('registers and then streams, in two requests, with a control plane that has no such route', async () => {
    const fake = await FakeControlPlane.start({ resumes: true, twoStep: true });
    const { guard } = createTestGuard(fake);
    try {
      await guard.ready();
      assert.equal(fake.connects, 0);
      assert.deepEqual(
        fake.registrations.map((registration) => registration.id),
        [guard.id],
      );
      const rule = fake.flip({ tenant: 'acme' }, 'read_only');
      await waitFor('the flip', () => guard.decide(acmeEmail).ruleId === rule.id);
      // A reconnect to the same replica streams without registering again, as before.
      fake.dropConnections();
      await waitFor('the second stream', () => fake.openStreams === 1 && fake.streamsOpened === 2);
      assert.equal(fake.registrations.length, 1);
      assert.deepEqual(fake.lastEventIds, [undefined, '2']);
    } finally {
      await guard.close();
      await fake.close();
    }
  });
});
