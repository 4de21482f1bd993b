import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  connectClient,
  eventually,
  everythingUpstream,
  gatewayConfig,
  resultText,
  startGateway,
  startPlane,
  type TestGateway,
  type TestPlane,
} from './mcp-harness.js';

let plane: TestPlane;
let gateway: TestGateway;
let client: Client;

before(async () => {
  plane = await startPlane();
  gateway = await startGateway(plane, gatewayConfig(plane, { everything: everythingUpstream() }));
  client = await connectClient(`${gateway.url}/mcp/everything`, {
    authorization: `Bearer ${await plane.token('agent', 'acme')}`,
  });
});

after(async () => {
  await client.close();
  await gateway.close();
  await plane.plane.close();
});

describe('a third-party upstream (server-everything) works through the gateway', () => {
  it('lists its tools and calls echo', async () => {
    const { tools } = await client.listTools();
    assert.ok(tools.some((tool) => tool.name === 'echo'));
    assert.ok(tools.length > 5);
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'through estop' } });
    assert.equal(resultText(echoed), 'Echo: through estop');
  });

  it('keeps its read-only tools under read_only and refuses the rest', async () => {
    const created = await plane.api('/v1/rules', { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'incident' });
    await eventually(() => gateway.guard.version >= created.version);
    assert.equal(resultText(await client.callTool({ name: 'echo', arguments: { message: 'read' } })), 'Echo: read');
    const refused = await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    assert.equal(refused.isError, true);
    assert.match(resultText(refused), /^estop: this call was refused/);
  });

  it('passes its resources and prompts through', async () => {
    assert.ok((await client.listResources()).resources.length > 0);
    assert.ok((await client.listPrompts()).prompts.length > 0);
  });
});
