import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { GatewayFileSchema } from '@estop/gateway';
import {
  connectClient,
  readRecord,
  recordFile,
  resultText,
  startGateway,
  startPlane,
  testUpstream,
  type TestGateway,
  type TestPlane,
} from './mcp-harness.js';

let plane: TestPlane;
let record: string;
let gateway: TestGateway;
let undeduped: TestGateway;
const logged: Array<{ message: string; fields?: Record<string, unknown> | undefined }> = [];
const clients: Client[] = [];

const logger = {
  info: (message: string, fields?: Record<string, unknown>) => logged.push({ message, fields }),
  error: (message: string, fields?: Record<string, unknown>) => logged.push({ message, fields }),
};

before(async () => {
  plane = await startPlane();
  record = recordFile();
  const config = (idempotency: unknown) =>
    GatewayFileSchema.parse({
      control_plane: { url: plane.url },
      mcp: { servers: { mail: testUpstream(record) } },
      idempotency,
    });
  gateway = await startGateway(plane, config({ tools: { 'mail.send_email': 3_600_000 } }), logger);
  undeduped = await startGateway(plane, config({ tools: { '*': false } }));
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.close();
  await undeduped.close();
  await plane.plane.close();
});

async function agent(through: TestGateway, tenant: string): Promise<Client> {
  const token = await plane.token('agent', tenant);
  const client = await connectClient(`${through.url}/mcp/mail`, { authorization: `Bearer ${token}` });
  clients.push(client);
  return client;
}

const sent = (to: string) => readRecord(record).filter((entry) => entry.tool === 'send_email' && entry.to === to);

describe('the MCP gateway dedupes writes without surprising anyone', () => {
  it('marks a replayed result with the original call’s time and id, and runs the write once', async () => {
    const client = await agent(gateway, 'dedupe-mark');
    const first = await client.callTool({ name: 'send_email', arguments: { to: 'once@example.com' } });
    const second = await client.callTool({ name: 'send_email', arguments: { to: 'once@example.com' } });
    assert.equal(sent('once@example.com').length, 1);
    assert.equal(resultText(second), resultText(first));
    assert.equal(first._meta?.['estop/replayed'], undefined);
    const replayed = second._meta?.['estop/replayed'] as { calledAt: string; callId: string };
    assert.ok(!Number.isNaN(Date.parse(replayed.calledAt)));
    assert.match(replayed.callId, /^[0-9a-f-]{36}$/);
    const third = await client.callTool({ name: 'send_email', arguments: { to: 'once@example.com' } });
    assert.deepEqual(third._meta?.['estop/replayed'], replayed);
  });

  it('does not dedupe a tool that declares idempotentHint: a toggle toggles back', async () => {
    const client = await agent(gateway, 'dedupe-toggle');
    const first = resultText(await client.callTool({ name: 'toggle', arguments: { label: 'lamp' } }));
    const second = resultText(await client.callTool({ name: 'toggle', arguments: { label: 'lamp' } }));
    assert.notEqual(first, second);
  });

  it('says at start which tools it dedupes and for how long, and names the config key at the first replay', () => {
    const started = logged.find((entry) => entry.message === 'mcp dedupes writes');
    assert.ok(started, JSON.stringify(logged));
    const tools = started.fields?.['tools'] as Record<string, { windowMs: number; key: string }>;
    assert.deepEqual(tools['mail.send_email'], { windowMs: 3_600_000, key: "idempotency.tools['mail.send_email']" });
    assert.equal(tools['mail.toggle'], undefined);
    assert.equal(tools['mail.lookup'], undefined);
    assert.deepEqual(tools['mail.touch'], { windowMs: 600_000, key: 'idempotency.window_ms' });
    const replays = logged.filter((entry) => entry.message === 'mcp replayed a duplicate write');
    assert.equal(replays.length, 1);
    assert.equal(replays[0]?.fields?.['key'], "idempotency.tools['mail.send_email']");
  });

  it("keeps `idempotency: {tools: {'*': false}}` turning it off", async () => {
    const client = await agent(undeduped, 'dedupe-off');
    await client.callTool({ name: 'send_email', arguments: { to: 'twice@example.com' } });
    const second = await client.callTool({ name: 'send_email', arguments: { to: 'twice@example.com' } });
    assert.equal(sent('twice@example.com').length, 2);
    assert.equal(second._meta?.['estop/replayed'], undefined);
  });
});
