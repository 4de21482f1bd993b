import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createMemoryStore } from '@estop/core';
import { createChangeHub } from '../src/stream/change-hub.js';
import { serveStateStream } from '../src/stream/sse-stream.js';
import { createStateHistory } from '../src/stream/state-history.js';
import { sha256Hex } from '../src/tokens/token-secret.js';

/** A response whose client aborted before the handler got to it, as one behind a slow token check. */
async function responseOfAGoneClient(): Promise<{ response: ServerResponse; close: () => Promise<void> }> {
  let handed: (response: ServerResponse) => void = () => {};
  const responded = new Promise<ServerResponse>((resolve) => (handed = resolve));
  const server = createServer((_request, response) => {
    response.once('close', () => handed(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const controller = new AbortController();
  const request = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/stream`, {
    signal: controller.signal,
  }).catch(() => undefined);
  setTimeout(() => controller.abort(), 50);
  const response = await responded;
  await request;
  return { response, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('a state stream whose client left before it started is closed at once', () => {
  it('calls onClose, so that its enforcer does not count as connected for good', { timeout: 30_000 }, async () => {
    const { response, close } = await responseOfAGoneClient();
    try {
      assert.equal(response.destroyed, true);
      const store = createMemoryStore({ sha256: sha256Hex });
      const hub = createChangeHub({ version: 0, rules: [] }, {});
      let closed = 0;
      serveStateStream({
        response,
        hub,
        history: createStateHistory(store.rules),
        principal: { id: 'tok_enforcer', principalId: 'p_enforcer', name: 'workers', role: 'enforcer' },
        keepAliveMs: 1000,
        onClose: () => (closed += 1),
      });
      assert.equal(closed, 1);
    } finally {
      await close();
    }
  });
});
