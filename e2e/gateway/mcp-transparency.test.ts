import assert from 'node:assert/strict';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createInFlightCalls, runStdioGateway } from '@estop/gateway';
import {
  gatewayConfig,
  recordFile,
  startGateway,
  startGuard,
  startHttpUpstream,
  startPlane,
  testUpstream,
  type TestGateway,
  type TestPlane,
} from './mcp-harness.js';
import { runScenario } from './mcp-protocol-scenario.js';
import { StreamTransport } from './stream-transport.js';

let plane: TestPlane;
let httpUpstream: { url: string; close(): Promise<void> };
let gateway: TestGateway;
let direct: Record<string, unknown>;

before(async () => {
  plane = await startPlane();
  httpUpstream = await startHttpUpstream(recordFile());
  gateway = await startGateway(
    plane,
    gatewayConfig(plane, { local: testUpstream(recordFile()), remote: { url: httpUpstream.url } }),
  );
  const upstream = testUpstream(recordFile());
  direct = await runScenario(
    new StdioClientTransport({
      command: upstream.command,
      args: upstream.args,
      cwd: upstream.cwd,
      env: { ...process.env, ...upstream.env } as Record<string, string>,
    }),
  );
});

after(async () => {
  await gateway.close();
  await httpUpstream.close();
  await plane.plane.close();
});

const agentHeaders = async () => ({ authorization: `Bearer ${await plane.token('agent', 'acme')}` });

describe('the gateway passes the whole MCP protocol through', () => {
  it('directly, over Streamable HTTP, the test upstream gives the same transcript as over stdio', async () => {
    const overHttp = await runScenario(new StreamableHTTPClientTransport(new URL(httpUpstream.url)));
    assert.deepEqual(overHttp, direct);
  });

  for (const server of ['local', 'remote']) {
    it(`through the HTTP gateway, to a ${server === 'local' ? 'stdio' : 'Streamable HTTP'} upstream`, async () => {
      const headers = await agentHeaders();
      const transport = new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp/${server}`), {
        requestInit: { headers },
      });
      assert.deepEqual(await runScenario(transport), direct);
    });
  }

  it('relays every progress notification, in order, even when they come back to back with the result', async () => {
    const headers = await agentHeaders();
    for (const server of ['local', 'remote']) {
      const client = new Client({ name: 'progress-agent', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp/${server}`), { requestInit: { headers } }),
      );
      try {
        const seen: unknown[] = [];
        await client.callTool({ name: 'progress', arguments: { steps: 3, burst: true } }, undefined, {
          onprogress: (progress) => seen.push(progress),
        });
        assert.deepEqual(
          seen,
          [1, 2, 3].map((progress) => ({ progress, total: 3 })),
          server,
        );
      } finally {
        await client.close();
      }
    }
  });

  it('through `estop gateway --stdio`', async () => {
    const guard = await startGuard(plane);
    const inFlight = createInFlightCalls(guard);
    const toGateway = new PassThrough();
    const fromGateway = new PassThrough();
    const running = runStdioGateway({
      config: gatewayConfig(plane, { local: testUpstream(recordFile()) }),
      guard,
      inFlight,
      caller: { tenant: 'acme-stdio', agent: 'desktop', name: 'stdio' },
      server: 'local',
      input: toGateway,
      output: fromGateway,
    });
    try {
      const transcript = await runScenario(new StreamTransport(fromGateway as Readable, toGateway as Writable));
      assert.deepEqual(transcript, direct);
    } finally {
      toGateway.end();
      await running;
      inFlight.close();
      await guard.close();
    }
  });
});
