import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { NodeStreamableHttpServerTransport } from '../src/mcp-http-server-transport.js';

let http: HttpServer;
let url: URL;

before(async () => {
  const server = new Server({ name: 'limit-test', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] }));
  const transport = new NodeStreamableHttpServerTransport(undefined, { maxBodyBytes: 64 * 1024 });
  await server.connect(transport);
  http = createServer((request, response) => void transport.handleRequest(request, response));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
});

after(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

/** A POST whose body goes out in `chunks`, with or without a declared length. */
function post(chunks: Buffer[], declareLength: boolean): Promise<{ status: number; type: string; body: any }> {
  return new Promise((resolve, reject) => {
    const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(declareLength ? { 'content-length': String(length) } : { 'transfer-encoding': 'chunked' }),
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: String(response.headers['content-type']),
            body: JSON.parse(text),
          }),
        );
      },
    );
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

const oversized = () => {
  const text = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { padding: 'p'.repeat(200_000) },
  });
  const buffer = Buffer.from(text);
  return Array.from({ length: Math.ceil(buffer.length / 16_384) }, (_, index) =>
    buffer.subarray(index * 16_384, (index + 1) * 16_384),
  );
};

describe('an MCP request over the body limit is answered 413 with a JSON-RPC error, not a reset', () => {
  for (const declareLength of [true, false]) {
    it(declareLength ? 'with a declared length' : 'chunked', async () => {
      const answer = await post(oversized(), declareLength);
      assert.equal(answer.status, 413);
      assert.match(answer.type, /^application\/json/);
      assert.equal(answer.body.jsonrpc, '2.0');
      assert.equal(answer.body.id, null);
      assert.equal(answer.body.error.code, -32600);
      assert.match(answer.body.error.message, /larger than 65536 bytes/);
    });
  }
});
