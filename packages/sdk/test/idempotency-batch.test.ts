import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import type { IdempotencyBatchResult } from '@estop/core';
import { IdempotencyBatch, type KeyOp } from '../src/idempotency-batch.js';

const claim = (key: string): KeyOp => ({ op: 'claim', tenant: 'acme', tool: 'email.send', key, windowMs: 60_000 });

/** A sender that holds each request until released, recording what each carried. */
function heldSender() {
  const requests: KeyOp[][] = [];
  const releases: (() => void)[] = [];
  const send = (ops: KeyOp[], _body: string) =>
    new Promise<IdempotencyBatchResult[]>((resolve) => {
      requests.push(ops);
      releases.push(() => resolve(ops.map((op) => ({ status: 'claimed', key: op.key ?? '', claimId: `c-${op.key}` }))));
    });
  return { send, requests, releases };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('IdempotencyBatch', () => {
  it('sends the operations of one moment together, and those that come meanwhile in the next request', async () => {
    const sender = heldSender();
    const batch = new IdempotencyBatch(sender.send);
    const first = [batch.run(claim('a'), '{}'), batch.run(claim('b'), '{}')];
    await turn();
    assert.deepEqual(
      sender.requests.map((ops) => ops.map((op) => op.key)),
      [['a', 'b']],
    );
    const second = [batch.run(claim('c'), '{}'), batch.run(claim('d'), '{}'), batch.run(claim('e'), '{}')];
    await turn();
    assert.equal(sender.requests.length, 1, 'one request on its way at a time');
    sender.releases[0]?.();
    assert.deepEqual(
      (await Promise.all(first)).map((result) => result.status),
      ['claimed', 'claimed'],
    );
    await turn();
    assert.deepEqual(
      sender.requests[1]?.map((op) => op.key),
      ['c', 'd', 'e'],
    );
    sender.releases[1]?.();
    assert.equal((await Promise.all(second)).length, 3);
  });

  it('listens once on a signal many operations share, and an abort takes out only those still queued', async () => {
    const sender = heldSender();
    const batch = new IdempotencyBatch(sender.send);
    const run = new AbortController();
    const sent = Array.from({ length: 20 }, (_, index) => batch.run(claim(`s${index}`), '{}', run.signal));
    assert.equal(getEventListeners(run.signal, 'abort').length, 1);
    await turn();
    // Sent: no longer the signal's to take back.
    assert.equal(getEventListeners(run.signal, 'abort').length, 0);
    const queued = Array.from({ length: 20 }, (_, index) => batch.run(claim(`q${index}`), '{}', run.signal));
    assert.equal(getEventListeners(run.signal, 'abort').length, 1);
    run.abort(new Error('run stopped'));
    for (const waiting of queued) await assert.rejects(waiting, /run stopped/);
    sender.releases[0]?.();
    assert.equal((await Promise.all(sent)).length, 20, 'what was sent is carried out');
    await turn();
    assert.equal(sender.requests.length, 1, 'nothing aborted was sent');
  });

  it('lets a completion wait briefly for a claim to travel with, and sends it alone only after that', async () => {
    const sender = heldSender();
    const batch = new IdempotencyBatch(sender.send);
    const complete: KeyOp = { op: 'complete', tenant: 'acme', tool: 'email.send', key: 'done' };
    const completed = batch.run(complete, JSON.stringify(complete), undefined, true);
    await turn();
    assert.equal(sender.requests.length, 0, 'a completion alone lingers');
    const claimed = batch.run(claim('next'), JSON.stringify(claim('next')));
    await turn();
    assert.deepEqual(
      sender.requests.map((ops) => ops.map((op) => op.key)),
      [['done', 'next']],
      'the claim takes the completion along, at once',
    );
    sender.releases[0]?.();
    await Promise.all([completed, claimed]);
    const alone = batch.run(complete, JSON.stringify(complete), undefined, true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sender.requests.length, 2, 'after the linger it goes by itself');
    sender.releases[1]?.();
    await alone;
  });

  it('writes each operation once and the request body from those texts', async () => {
    const bodies: string[] = [];
    const batch = new IdempotencyBatch(async (ops, body) => {
      bodies.push(body);
      return ops.map(() => ({ status: 'ok' }) as IdempotencyBatchResult);
    });
    await Promise.all([
      batch.run(claim('a'), '{"op":"claim","key":"a"}'),
      batch.run(claim('b'), '{"op":"claim","key":"b"}'),
    ]);
    assert.deepEqual(JSON.parse(bodies[0] ?? ''), {
      ops: [
        { op: 'claim', key: 'a' },
        { op: 'claim', key: 'b' },
      ],
    });
  });
});
