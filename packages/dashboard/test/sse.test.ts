import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSseParser, readSse, type SseEvent } from '../src/api/sse.js';

function parseAll(chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const feed = createSseParser((event) => events.push(event));
  for (const chunk of chunks) feed(chunk);
  return events;
}

describe('the event-stream parser yields the same events however the bytes are split', () => {
  const text =
    'event: snapshot\ndata: {"version":6}\n\n: a comment\nevent: change\nid: 7\ndata: {"version":7,\ndata: "x":1}\n\nevent: keepalive\r\ndata: {}\r\n\r\n';
  const expected: SseEvent[] = [
    { event: 'snapshot', data: '{"version":6}', id: undefined },
    { event: 'change', data: '{"version":7,\n"x":1}', id: '7' },
    { event: 'keepalive', data: '{}', id: '7' },
  ];

  it('whole', () => assert.deepEqual(parseAll([text]), expected));

  it('one character at a time, CRLF split across chunks included', () => {
    assert.deepEqual(parseAll([...text]), expected);
  });

  it('names an event without `event:` a message and drops an event without data', () => {
    assert.deepEqual(parseAll(['data: hello\n\nevent: empty\n\n']), [
      { event: 'message', data: 'hello', id: undefined },
    ]);
  });

  it('reads a byte stream whose chunks split a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('event: rules\ndata: {"reason":"stopp€d"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const events: SseEvent[] = [];
    await readSse(body, (event) => events.push(event));
    assert.deepEqual(events, [{ event: 'rules', data: '{"reason":"stopp€d"}', id: undefined }]);
  });
});
