import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { GatewayFileSchema } from '@estop/gateway';
import {
  gatewayConfig,
  recordFile,
  startGateway,
  startPlane,
  testUpstream,
  type TestGateway,
  type TestPlane,
} from './mcp-harness.js';

let plane: TestPlane;
let loopback: TestGateway;
let listed: TestGateway;
let token: string;

before(async () => {
  plane = await startPlane();
  const servers = { mail: testUpstream(recordFile()) };
  loopback = await startGateway(plane, gatewayConfig(plane, servers));
  const config = GatewayFileSchema.parse({
    control_plane: { url: plane.url },
    listen: { host: '0.0.0.0', allowed_hosts: ['gateway.internal'], allowed_origins: ['https://app.example.com'] },
    mcp: { servers },
  });
  listed = await startGateway(plane, config);
  token = await plane.token('agent', 'acme');
});

after(async () => {
  await loopback.close();
  await listed.close();
  await plane.plane.close();
});

/** An initialize POST to `/mcp/mail` with the given Host and Origin; its status and body. */
function initialize(gateway: TestGateway, host: string, origin?: string): Promise<{ status: number; body: any }> {
  const url = new URL(`${gateway.url}/mcp/mail`);
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '1' } },
  });
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, {
      method: 'POST',
      headers: {
        host,
        ...(origin === undefined ? {} : { origin }),
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
    });
    outgoing.once('error', reject);
    outgoing.once('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.once('end', () => {
        const type = response.headers['content-type'] ?? '';
        resolve({ status: response.statusCode ?? 0, body: type.includes('json') ? JSON.parse(text) : text });
      });
    });
    outgoing.end(body);
  });
}

describe('the MCP gateway validates Host and Origin against DNS rebinding', () => {
  it('bound to loopback, admits only localhost names by default', async () => {
    const port = new URL(loopback.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      assert.equal((await initialize(loopback, host)).status, 200, host);
    }
    const foreign = await initialize(loopback, `attacker.example:${port}`);
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.jsonrpc, '2.0');
    assert.match(foreign.body.error.message, /Host/);
  });

  it('refuses a foreign Origin, and admits one of its own host', async () => {
    const port = new URL(loopback.url).port;
    const foreign = await initialize(loopback, `127.0.0.1:${port}`, 'https://attacker.example');
    assert.equal(foreign.status, 403);
    assert.match(foreign.body.error.message, /Origin/);
    assert.equal((await initialize(loopback, `127.0.0.1:${port}`, `http://localhost:${port}`)).status, 200);
  });

  it('follows the allow-lists under listen:', async () => {
    assert.equal((await initialize(listed, 'gateway.internal:7080', 'https://app.example.com')).status, 200);
    assert.equal((await initialize(listed, 'other.internal')).status, 403);
    assert.equal((await initialize(listed, 'gateway.internal', 'https://evil.example.com')).status, 403);
  });
});
