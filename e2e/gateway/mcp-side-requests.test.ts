import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  eventually,
  gatewayConfig,
  readRecord,
  recordFile,
  resultText,
  startGateway,
  startPlane,
  testUpstream,
  type TestGateway,
  type TestPlane,
} from './mcp-harness.js';
import { scenarioClient } from './mcp-protocol-scenario.js';

let plane: TestPlane;
let gateway: TestGateway;
let record: string;

before(async () => {
  plane = await startPlane();
  record = recordFile();
  gateway = await startGateway(plane, gatewayConfig(plane, { mail: testUpstream(record) }));
});

after(async () => {
  await gateway.close();
  await plane.plane.close();
});

async function agent(tenant: string) {
  const agentClient = scenarioClient();
  const token = await plane.token('agent', tenant);
  await agentClient.client.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp/mail`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return agentClient;
}

async function rule(body: Record<string, unknown>): Promise<string> {
  const created = await plane.api('/v1/rules', { reason: 'test', ...body });
  await eventually(() => gateway.guard.version >= created.version);
  return created.rule.id as string;
}

function failures(tool: string): unknown[] {
  return readRecord(record).filter((entry) => entry.tool === tool && entry.failed !== undefined);
}

describe("an upstream's requests to the agent belong to the call that made them", () => {
  it('refuses sampling for a caller under a full_stop that came while the call ran', async () => {
    const { client, asked } = await agent('sampling-stopped');
    const running = client.callTool({ name: 'sample', arguments: { prompt: 'hi', delay_ms: 1500 } });
    await eventually(() => readRecord(record).some((entry) => entry.tool === 'sample' && entry.event === 'waiting'));
    const stop = await rule({ scope: { tenant: 'sampling-stopped' }, mode: 'full_stop' });
    try {
      await running.then(
        (result) => assert.equal(result.isError, true),
        () => undefined,
      );
      assert.deepEqual(asked, []);
      await eventually(() => failures('sample').length === 1);
      assert.match(String((failures('sample')[0] as { failed: string }).failed), /stopped/);
    } finally {
      await plane.api(`/v1/rules/${stop}/lift`, { reason: 'over' });
      await client.close();
    }
  });

  it('cancels the elicitation of a call that a cancelInFlight rule cancels, for the agent and the upstream', async () => {
    const { client } = await agent('elicit-cancelled');
    let cancelledForAgent = false;
    let askedAgent = false;
    client.setRequestHandler(ElicitRequestSchema, (_request, extra) => {
      askedAgent = true;
      return new Promise((_resolve, reject) => {
        extra.signal.addEventListener('abort', () => {
          cancelledForAgent = true;
          reject(new Error('cancelled'));
        });
      });
    });
    const running = client.callTool({ name: 'elicit', arguments: {} });
    await eventually(() => askedAgent);
    const stop = await rule({ scope: { tenant: 'elicit-cancelled' }, mode: 'full_stop', cancelInFlight: true });
    try {
      const result = await running;
      assert.equal(result.isError, true);
      assert.match(resultText(result), /cancelled while it ran/);
      await eventually(() => cancelledForAgent);
      await eventually(() => failures('elicit').length === 1);
      assert.match(String((failures('elicit')[0] as { failed: string }).failed), /cancelled or stopped/);
    } finally {
      await plane.api(`/v1/rules/${stop}/lift`, { reason: 'over' });
      await client.close();
    }
  });

  it('relays sampling to the agent whose call asked, not to another session', async () => {
    const first = await agent('sampling-first');
    const second = await agent('sampling-second');
    second.client.setRequestHandler(CreateMessageRequestSchema, () => {
      throw new Error('asked the wrong agent');
    });
    try {
      const result = await first.client.callTool({ name: 'sample', arguments: { prompt: 'mine' } });
      assert.equal(resultText(result), 'model said: echo mine');
      assert.deepEqual(first.asked, ['sampling']);
    } finally {
      await first.client.close();
      await second.client.close();
    }
  });
});

describe('what an upstream says outside any request it can tell stays within one tenant', () => {
  it('does not pass one tenant’s log messages to another’s session when calls overlap on a stdio upstream', async () => {
    const acme = await agent('logs-acme');
    const globex = await agent('logs-globex');
    try {
      const slow = acme.client.callTool({ name: 'slow', arguments: { label: 'overlap', ms: 3_000 } });
      await eventually(() =>
        readRecord(record).some(
          (entry) => entry.tool === 'slow' && entry.label === 'overlap' && entry.event === 'started',
        ),
      );
      // Two calls in flight on one stdio connection: the log messages cannot be told apart.
      await globex.client.setLoggingLevel('info');
      await globex.client.callTool({ name: 'log', arguments: { message: 'globex secret' } });
      await acme.client.ping();
      assert.deepEqual(acme.logged, []);
      void slow.catch(() => undefined);
    } finally {
      await acme.client.close();
      await globex.client.close();
    }
  });
});
