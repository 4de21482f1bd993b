import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_STORED_REPLY_BYTES, replayReply, storeReply } from './upstream-reply.js';

describe("a write's reply is kept for its duplicates: status, content type and body", () => {
  it('replays what it kept, byte for byte', () => {
    const body = Buffer.from([0, 1, 2, 250]);
    const stored = storeReply({
      status: 201,
      headers: ['Content-Type', 'application/octet-stream', 'x-other', 'dropped'],
      body,
    });
    const replayed = replayReply(JSON.parse(JSON.stringify(stored)));
    assert.equal(replayed.status, 201);
    assert.deepEqual(replayed.headers, ['content-type', 'application/octet-stream']);
    assert.ok(replayed.body.equals(body));
  });

  it('refuses to keep a reply over 1 MB, so its key is released', () => {
    assert.throws(
      () => storeReply({ status: 200, headers: [], body: Buffer.alloc(MAX_STORED_REPLY_BYTES + 1) }),
      RangeError,
    );
  });
});
