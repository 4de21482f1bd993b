import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createMcpUpstream } from '@estop/gateway';
import {
  connectClient,
  eventually,
  gatewayConfig,
  readRecord,
  recordFile,
  startGateway,
  startPlane,
  testUpstream,
  type TestGateway,
  type TestPlane,
} from './mcp-harness.js';

let plane: TestPlane;
let gateway: TestGateway;
let record: string;
let client: Client;

before(async () => {
  plane = await startPlane();
  record = recordFile();
  gateway = await startGateway(plane, gatewayConfig(plane, { mail: testUpstream(record) }));
  client = await connectClient(`${gateway.url}/mcp/mail`, {
    authorization: `Bearer ${await plane.token('agent', 'acme')}`,
  });
});

after(async () => {
  await client.close();
  await gateway.close();
  await plane.plane.close();
});

describe('an upstream that dies is reported by name and restarted', () => {
  it('fails the call in flight with an error naming the server, then serves again from a new process', async () => {
    const recordedBefore = readRecord(record).length;
    await assert.rejects(
      client.callTool({ name: 'crash', arguments: {} }),
      /MCP server "mail" (went away during the request|is not available)/,
    );
    const crashed = readRecord(record)
      .slice(recordedBefore)
      .find((entry) => entry.tool === 'crash');
    assert.ok(crashed, 'the upstream ran the crash tool');
    const result = await eventually(async () => {
      try {
        return await client.callTool({ name: 'send_email', arguments: { to: 'after-restart@example.com' } });
      } catch {
        return undefined;
      }
    });
    assert.equal(result.isError, undefined);
    const sent = readRecord(record).find((entry) => entry.to === 'after-restart@example.com');
    assert.ok(sent !== undefined && sent.pid !== crashed.pid, 'a new upstream process served the call');
  });
});

describe('an upstream that cannot start fails its calls with an error naming it', () => {
  it('reports the server by name while it keeps retrying', async () => {
    const upstream = createMcpUpstream({
      name: 'broken',
      upstream: { command: process.execPath, args: ['-e', 'process.exit(7)'], env: {}, tools: {} },
      timeoutMs: 5000,
      restart: { baseMs: 10, maxMs: 50 },
    });
    try {
      await upstream.start();
      assert.equal(upstream.connected, false);
      await assert.rejects(upstream.listTools(), /MCP server "broken" is not available/);
      await assert.rejects(upstream.callTool({ name: 'any' }), /MCP server "broken" is not available/);
    } finally {
      await upstream.close();
    }
  });
});

describe("an upstream's stderr lines are logged tagged with the server's name", () => {
  it('logs each line as a JSON log entry naming the server, not as raw text among them', async () => {
    const lines: Array<{ message: string; fields: Record<string, unknown> | undefined }> = [];
    const log = (message: string, fields?: Record<string, unknown>) => lines.push({ message, fields });
    const upstream = createMcpUpstream({
      name: 'noisy',
      upstream: {
        command: process.execPath,
        args: ['-e', "process.stderr.write('first words\\nsecond words\\n'); process.exit(7)"],
        env: {},
        tools: {},
      },
      timeoutMs: 5000,
      restart: { baseMs: 10, maxMs: 50 },
      logger: { info: log, error: log },
    });
    try {
      await upstream.start();
      const said = await eventually(() => {
        const words = lines.filter((line) => line.message === 'mcp upstream stderr').slice(0, 2);
        return words.length === 2 ? words : undefined;
      });
      assert.deepEqual(
        said.map((line) => line.fields),
        [
          { server: 'noisy', line: 'first words' },
          { server: 'noisy', line: 'second words' },
        ],
      );
    } finally {
      await upstream.close();
    }
  });
});
