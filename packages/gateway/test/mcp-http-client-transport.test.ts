import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerSentEventReader } from '../src/mcp-http-client-transport.js';

describe('the upstream event-stream reader yields each message event whole, however it is split', () => {
  it('joins lines split across chunks, accepts CRLF, and skips comments and other events', () => {
    const seen: string[] = [];
    const reader = new ServerSentEventReader((data) => seen.push(data));
    const stream =
      ': comment\r\nevent: message\r\ndata: {"a":1}\r\n\r\nevent: ping\ndata: x\n\ndata: one\ndata: two\n\n';
    for (let index = 0; index < stream.length; index += 3) reader.feed(stream.slice(index, index + 3));
    assert.deepEqual(seen, ['{"a":1}', 'one\ntwo']);
  });
});
