import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { httpWriteArguments, idempotencyKeyOf } from './http-write-arguments.js';

function request(url: string, headers: Record<string, string | string[]> = {}): IncomingMessage {
  return { url, method: 'POST', headers } as unknown as IncomingMessage;
}

describe('an HTTP write as approvals, drafts and keys see it: two different bodies are never the same write', () => {
  it('keeps JSON as JSON, text as text and other bytes as base64', () => {
    const json = httpWriteArguments(
      request('/tools/a?x=1', { 'content-type': 'application/json' }),
      Buffer.from('{"b":1}'),
    );
    assert.deepEqual(json, { method: 'POST', path: '/tools/a', query: 'x=1', body: { json: { b: 1 } } });
    const text = httpWriteArguments(request('/tools/a'), Buffer.from('{"b":1}'));
    assert.equal(text['body'], '{"b":1}');
    const bytes = Buffer.from([0xff, 0x00, 0xfe]);
    assert.deepEqual(httpWriteArguments(request('/tools/a'), bytes)['body'], { base64: bytes.toString('base64') });
    assert.equal(httpWriteArguments(request('/tools/a'), Buffer.alloc(0))['body'], null);
    const broken = httpWriteArguments(request('/tools/a', { 'content-type': 'application/json' }), Buffer.from('{no'));
    assert.equal(broken['body'], '{no');
  });

  it('takes the Idempotency-Key header, trimmed, and ignores an empty one', () => {
    assert.equal(idempotencyKeyOf(request('/', { 'idempotency-key': ' order-7 ' })), 'order-7');
    assert.equal(idempotencyKeyOf(request('/', { 'idempotency-key': '' })), undefined);
    assert.equal(idempotencyKeyOf(request('/')), undefined);
  });
});
