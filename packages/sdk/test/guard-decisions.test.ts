import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EstopError, isEstopError, type Call } from '@estop/core';
import { createGuard, type Guard } from '../src/index.js';
import { FakeControlPlane } from './fake-control-plane.js';
import { createTestGuard } from './test-guard.js';
import { waitFor } from './wait-for.js';

const acmeEmail: Call = { tenant: 'acme', tool: 'email.send', effect: 'write' };
const acmeLookup: Call = { tenant: 'acme', tool: 'crm.lookup', effect: 'read' };
const globexEmail: Call = { tenant: 'globex', tool: 'email.send', effect: 'write' };

describe('decisions follow pushed changes', () => {
  let fake: FakeControlPlane;
  let guard: Guard;
  const caughtUp = (): Promise<void> =>
    waitFor('the guard to apply the latest version', () => guard.version === fake.version);

  before(async () => {
    fake = await FakeControlPlane.start({ tools: { 'crm.export': 'read' } });
    guard = createTestGuard(fake, { tools: { 'crm.export': 'write', 'docs.search': 'read' } }).guard;
    await guard.ready();
  });
  after(async () => {
    await guard.close();
    await fake.close();
  });

  it('allows everything when no switch is on', () => {
    assert.equal(guard.stale, false);
    assert.equal(guard.decide(acmeEmail).outcome, 'allow');
  });

  it("denies a tenant's writes after a read_only flip, lets its reads and other tenants through, and allows again after the lift", async () => {
    const rule = fake.flip({ tenant: 'acme' }, 'read_only');
    await caughtUp();
    assert.deepEqual(
      { ...guard.decide(acmeEmail) },
      { outcome: 'deny', mode: 'read_only', ruleId: rule.id, reason: rule.reason, source: 'rule' },
    );
    assert.equal(guard.decide(acmeLookup).outcome, 'allow');
    assert.equal(guard.decide(globexEmail).outcome, 'allow');

    fake.lift(rule.id);
    await caughtUp();
    assert.equal(guard.decide(acmeEmail).outcome, 'allow');
  });

  it('refuses reads too under full_stop, and a disabled tool only for that tool', async () => {
    const stop = fake.flip({ tenant: 'acme' }, 'full_stop');
    const disabled = fake.flip({ tool: 'browser.*' }, 'full_stop');
    await caughtUp();
    assert.equal(guard.decide(acmeLookup).outcome, 'deny');
    assert.equal(guard.decide({ tenant: 'globex', tool: 'browser.open', effect: 'read' }).ruleId, disabled.id);
    assert.equal(guard.decide(globexEmail).outcome, 'allow');
    fake.lift(stop.id);
    fake.lift(disabled.id);
    await caughtUp();
    assert.equal(guard.decide(acmeLookup).outcome, 'allow');
  });

  it('takes tool effects from the control plane first, then the tools option; an unknown tool is a write', async () => {
    const rule = fake.flip({ tenant: 'acme' }, 'read_only');
    await caughtUp();
    // The control plane says crm.export is a read, overriding the local option.
    assert.equal(guard.decide({ tenant: 'acme', tool: 'crm.export' }).outcome, 'allow');
    assert.equal(guard.decide({ tenant: 'acme', tool: 'docs.search' }).outcome, 'allow');
    assert.equal(guard.decide({ tenant: 'acme', tool: 'mystery.tool' }).outcome, 'deny');
    fake.lift(rule.id);
    await caughtUp();
  });

  it('tells onChange listeners of every applied version and stops when unsubscribed', async () => {
    const seen: number[] = [];
    const unsubscribe = guard.onChange((change) => seen.push(change.version));
    const rule = fake.flip({ agent: 'mailer' }, 'draft_only');
    await caughtUp();
    assert.equal(guard.decide({ tenant: 'acme', agent: 'mailer', tool: 'email.send' }).outcome, 'draft');
    unsubscribe();
    fake.lift(rule.id);
    await caughtUp();
    assert.deepEqual(seen, [fake.version - 1]);
  });

  it('never throws from decide: a call it cannot read is denied and reported', async () => {
    const fakeForErrors = await FakeControlPlane.start();
    const { guard: local, errors } = createTestGuard(fakeForErrors);
    try {
      const decision = local.decide(null as unknown as Call);
      assert.equal(decision.outcome, 'deny');
      assert.equal(errors[0]?.code, 'invalid_request');
    } finally {
      await local.close();
      await fakeForErrors.close();
    }
  });
});

describe('before the first snapshot the guard fails closed', () => {
  it('denies writes (reads pass under read_only) until a snapshot arrives, then follows it', async () => {
    const fake = await FakeControlPlane.start();
    fake.silence();
    const { guard } = createTestGuard(fake);
    try {
      await waitFor('the stream to open', () => fake.openStreams === 1);
      assert.equal(guard.version, 0);
      assert.equal(guard.stale, true);
      const denied = guard.decide(acmeEmail);
      assert.equal(denied.outcome, 'deny');
      assert.equal(denied.source, 'stale');
      assert.equal(denied.mode, 'read_only');
      assert.equal(guard.decide(acmeLookup).outcome, 'allow');

      fake.resume();
      await guard.ready();
      assert.equal(guard.version, fake.version);
      assert.equal(guard.decide(acmeEmail).outcome, 'allow');
    } finally {
      await guard.close();
      await fake.close();
    }
  });

  it('denies reads as well with failMode full_stop', async () => {
    const fake = await FakeControlPlane.start();
    fake.silence();
    const { guard } = createTestGuard(fake, { failMode: 'full_stop' });
    try {
      assert.equal(guard.decide(acmeLookup).outcome, 'deny');
    } finally {
      await guard.close();
      await fake.close();
    }
  });

  it('fails closed when the control plane cannot be reached, and ready() rejects with a timeout', async () => {
    const fake = await FakeControlPlane.start();
    const url = fake.url;
    await fake.close();
    const errors: EstopError[] = [];
    const guard = createGuard({
      url,
      token: 'estop_test_token',
      breakGlass: {},
      readyTimeoutMs: 200,
      reconnect: { baseMs: 5, maxMs: 20 },
      onError: (error) => errors.push(error),
    });
    try {
      await assert.rejects(guard.ready(), (error) => isEstopError(error, 'timeout'));
      assert.equal(guard.decide(acmeEmail).outcome, 'deny');
      assert.ok(errors.some((error) => error.code === 'unavailable'));
    } finally {
      await guard.close();
    }
  });
});

describe('a refused token is reported clearly and retried', () => {
  for (const [status, code] of [
    [401, 'unauthorized'],
    [403, 'forbidden'],
  ] as const) {
    it(`${status}: onError and ready() say ${code}; the guard syncs once the token is accepted`, async () => {
      const fake = await FakeControlPlane.start();
      fake.refuseWith(status);
      const { guard, errors } = createTestGuard(fake);
      try {
        await assert.rejects(guard.ready(), (error) => isEstopError(error, code));
        assert.equal(errors[0]?.code, code);
        assert.match(errors[0]?.message ?? '', new RegExp(String(status)));
        assert.equal(guard.decide(acmeEmail).outcome, 'deny');

        fake.refuseWith(undefined);
        await waitFor('the guard to sync', () => guard.version === fake.version && !guard.stale);
        await guard.ready();
        assert.equal(guard.decide(acmeEmail).outcome, 'allow');
      } finally {
        await guard.close();
        await fake.close();
      }
    });
  }
});

describe('createGuard rejects bad configuration synchronously', () => {
  const valid = { url: 'http://127.0.0.1:1', token: 'estop_x', breakGlass: {} };
  for (const [label, options, pattern] of [
    ['a url that is not a URL', { ...valid, url: 'not a url' }, /url/],
    ['a non-http url', { ...valid, url: 'ftp://example.com' }, /http/],
    ['an empty token', { ...valid, token: '' }, /token/],
    ['a token with a line break', { ...valid, token: 'estop_x\n' }, /token/],
    ['a negative staleness bound', { ...valid, staleAfterMs: -1 }, /staleAfterMs/],
    ['an unknown fail mode', { ...valid, failMode: 'panic' }, /failMode/],
    ['an unknown tool effect', { ...valid, tools: { 'email.send': 'send' } }, /email\.send/],
    ['an idempotency window of zero', { ...valid, idempotency: { windowMs: 0 } }, /idempotency\.windowMs/],
    ['a tool window that is not a number', { ...valid, idempotency: { tools: { 'mail.*': true } } }, /mail\.\*/],
    ['an approval timeout under a second', { ...valid, approvalTimeoutMs: 500 }, /approvalTimeoutMs/],
    ['a negative block report interval', { ...valid, blockReportMs: -5 }, /blockReportMs/],
  ] as const) {
    it(`throws config_invalid for ${label}`, () => {
      assert.throws(
        () => createGuard(options as never),
        (error) => isEstopError(error, 'config_invalid') && pattern.test(error.message),
      );
    });
  }

  it('names every problem at once', () => {
    assert.throws(
      () => createGuard({ url: '', token: '' }),
      (error) => error instanceof EstopError && /url/.test(error.message) && /token/.test(error.message),
    );
  });
});
