import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { NodeStreamableHttpServerTransport } from '../src/mcp-http-server-transport.js';

let http: HttpServer;
let url: string;
let transport: NodeStreamableHttpServerTransport;
let closed = false;

before(async () => {
  const server = new Server({ name: 'transport-test', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] }));
  transport = new NodeStreamableHttpServerTransport();
  transport.onclose = () => {
    closed = true;
  };
  await server.connect(transport);
  http = createServer((request, response) => void transport.handleRequest(request, response));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
});

after(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

function post(body: unknown, sessionId?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(sessionId === undefined ? {} : { 'mcp-session-id': sessionId }),
    },
    body: JSON.stringify(body),
  });
}

describe('the agents’ session transport speaks Streamable HTTP', () => {
  let sessionId: string;

  it('refuses requests before initialize, then starts a session with it', async () => {
    assert.equal((await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).status, 400);
    const initialized = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    assert.equal(initialized.status, 200);
    sessionId = initialized.headers.get('mcp-session-id') as string;
    assert.equal(sessionId, transport.sessionId);
    assert.equal(((await initialized.json()) as { id: number }).id, 1);
  });

  it('answers a notification with 202 and a batch with every result in one JSON answer', async () => {
    assert.equal((await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)).status, 202);
    const batch = await post(
      [
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        { jsonrpc: '2.0', id: 3, method: 'ping' },
      ],
      sessionId,
    );
    assert.equal(batch.headers.get('content-type'), 'application/json');
    const answers = (await batch.json()) as Array<{ id: number; result: unknown }>;
    assert.deepEqual(answers.map((answer) => answer.id).sort(), [2, 3]);
  });

  it('holds one notification stream per session', async () => {
    const headers = { accept: 'text/event-stream', 'mcp-session-id': sessionId };
    const first = await fetch(url, { headers });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'text/event-stream');
    const second = await fetch(url, { headers });
    assert.equal(second.status, 409);
    await first.body?.cancel();
  });

  it('ends the session on DELETE', async () => {
    const deleted = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });
    assert.equal(deleted.status, 200);
    assert.equal(closed, true);
  });
});
