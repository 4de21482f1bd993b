import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParser, type SseEvent } from './sse-parser.js';

function parse(chunks: Array<string | Uint8Array>): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

const STREAM = [
  ': a comment, ignored',
  'event: snapshot',
  'data: {"version":6,',
  'data: "note":"größe ✓ 🚦"}',
  '',
  'event: change',
  'id: 7',
  'data:{"version":7}',
  '',
  'data',
  '',
  'event: keepalive',
  'retry: 1000',
  'unknown: field',
  'data:  two spaces',
  '',
  'event: no-data',
  '',
  'event: trailing',
  'data: never finished',
].join('\n');

const EXPECTED: SseEvent[] = [
  { type: 'snapshot', data: '{"version":6,\n"note":"größe ✓ 🚦"}', id: undefined },
  { type: 'change', data: '{"version":7}', id: '7' },
  { type: 'message', data: '', id: '7' },
  { type: 'keepalive', data: ' two spaces', id: '7' },
];

describe('the SSE parser reads events however the stream is cut', () => {
  it('parses fields, multi-line data, comments and the last event id', () => {
    assert.deepEqual(parse([STREAM]), EXPECTED);
  });

  it('accepts \\r\\n and \\r line ends as \\n', () => {
    assert.deepEqual(parse([STREAM.replaceAll('\n', '\r\n')]), EXPECTED);
    assert.deepEqual(parse([STREAM.replaceAll('\n', '\r')]), EXPECTED);
  });

  it('gives the same events when text is split at any position', () => {
    for (const lineEnd of ['\n', '\r\n', '\r']) {
      const text = STREAM.replaceAll('\n', lineEnd);
      for (let cut = 0; cut <= text.length; cut++) {
        assert.deepEqual(
          parse([text.slice(0, cut), text.slice(cut)]),
          EXPECTED,
          `cut at ${cut} with ${JSON.stringify(lineEnd)}`,
        );
      }
    }
  });

  it('gives the same events when bytes arrive one at a time, multi-byte characters included', () => {
    const bytes = new TextEncoder().encode(STREAM.replaceAll('\n', '\r\n'));
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    assert.deepEqual(parse(chunks), EXPECTED);
  });

  it('gives the same events when bytes are split at any position', () => {
    const bytes = new TextEncoder().encode(STREAM);
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.deepEqual(parse([bytes.subarray(0, cut), bytes.subarray(cut)]), EXPECTED, `cut at byte ${cut}`);
    }
  });

  it('drops a partial event on reset', () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((event) => events.push(event));
    parser.push('event: change\ndata: half');
    parser.reset();
    parser.push('\n\ndata: whole\n\n');
    assert.deepEqual(events, [{ type: 'message', data: 'whole', id: undefined }]);
  });
});
