// A kept-alive connection the server closes just as the client reuses it: the request is sent
// once more on a connection of its own, not refused as if the control plane were away.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isEstopError } from '@estop/core';
import { ControlPlaneClient } from '../src/control-plane-client.js';
import { ReplicaSet } from '../src/replica-set.js';

/**
 * Answers the first request on each connection and keeps the connection open; a later request on
 * the same connection is met by closing it unanswered, as a server closing an idle connection
 * does when the client's request crosses its close. With `everyRequest`, every request is.
 */
function closingServer(): { server: Server; seen: () => number; dropped: () => number; everyRequest: boolean } {
  const served = new WeakMap<Socket, number>();
  let seen = 0;
  let dropped = 0;
  const state = {
    everyRequest: false,
    seen: () => seen,
    dropped: () => dropped,
    server: createServer((request: IncomingMessage, response: ServerResponse) => {
      seen += 1;
      const count = (served.get(request.socket) ?? 0) + 1;
      served.set(request.socket, count);
      if (count > 1 || state.everyRequest) {
        dropped += 1;
        request.socket.destroy();
        return;
      }
      request.resume();
      request.on('end', () => {
        const body = JSON.stringify({ ok: true });
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        response.end(body);
      });
    }),
  };
  state.server.keepAliveTimeout = 60_000;
  return state;
}

describe('a kept-alive connection closed by the server as it is reused', () => {
  const closing = closingServer();
  let client: ControlPlaneClient;
  before(async () => {
    await new Promise<void>((resolve) => closing.server.listen(0, '127.0.0.1', resolve));
    const { port } = closing.server.address() as AddressInfo;
    client = new ControlPlaneClient(new ReplicaSet([new URL(`http://127.0.0.1:${port}/`)]), 'estop_test');
  });
  after(async () => {
    closing.server.closeAllConnections();
    await new Promise<void>((resolve) => closing.server.close(() => resolve()));
  });

  it('is retried once on a fresh connection, and the call succeeds', async () => {
    const signal = new AbortController().signal;
    assert.deepEqual(await client.send('POST', '/v1/idempotency/claim', 'claim a key', { n: 1 }, signal), { ok: true });
    // The next request reuses the kept-alive connection, which the server closes unanswered.
    assert.deepEqual(await client.send('POST', '/v1/idempotency/claim', 'claim a key', { n: 2 }, signal), { ok: true });
    assert.equal(closing.dropped(), 1, 'the reused connection was closed under the request');
    assert.equal(closing.seen(), 3, 'the request was sent once more');
  });

  it('is not retried again when the fresh connection fails too: the failure is told', async () => {
    const signal = new AbortController().signal;
    closing.everyRequest = true;
    const before = closing.seen();
    await assert.rejects(
      client.send('POST', '/v1/idempotency/claim', 'claim a key', { n: 3 }, signal),
      (error: unknown) => isEstopError(error, 'unavailable') && /claim a key/.test(error.message),
    );
    assert.ok(closing.seen() - before <= 2, 'at most one retry');
  });
});
