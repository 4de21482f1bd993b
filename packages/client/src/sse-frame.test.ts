import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sseFrame } from './sse-frame.js';
import { SseParser, type SseEvent } from './sse-parser.js';

describe('what the frame writer writes, the parser reads back whole', () => {
  it('keeps the event name, the id and the data, line breaks in strings included', () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((event) => events.push(event));
    const data = { version: 7, reason: 'two\nlines\r\nand a carriage return\r' };
    parser.push(sseFrame({ event: 'change', data, id: 7 }));
    parser.push(sseFrame({ event: 'keepalive', data: { at: 'now' } }));
    assert.deepEqual(events, [
      { type: 'change', data: JSON.stringify(data), id: '7' },
      { type: 'keepalive', data: '{"at":"now"}', id: '7' },
    ]);
    assert.deepEqual(JSON.parse(events[0]?.data ?? ''), data);
  });

  it('writes the bytes the control plane has always sent', () => {
    assert.equal(sseFrame({ event: 'snapshot', data: { a: 1 } }), 'event: snapshot\ndata: {"a":1}\n\n');
    assert.equal(sseFrame({ event: 'change', data: 1, id: 3 }), 'event: change\nid: 3\ndata: 1\n\n');
  });
});
