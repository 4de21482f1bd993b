import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  connectClient,
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

// The test upstream's `slow` tool runs for 30 s unless cancelled, longer than these tests wait:
// seeing it cancelled within a few seconds can only be the gateway's doing. `docs` serves it as
// a read (by configuration), `mail` as a write.
const GONE_WITHIN_MS = 5000;

let plane: TestPlane;
let gateway: TestGateway;
let reads: string;
let writes: string;
let token: string;
const clients: Client[] = [];

async function agent(server: 'docs' | 'mail'): Promise<Client> {
  const client = await connectClient(`${gateway.url}/mcp/${server}`, { authorization: `Bearer ${token}` });
  clients.push(client);
  return client;
}

/** What the upstream recorded of the `slow` call labelled `label`: started, then cancelled or finished. */
function events(record: string, label: string): unknown[] {
  return readRecord(record)
    .filter((entry) => entry.tool === 'slow' && entry.label === label)
    .map((entry) => entry.event);
}

/** Starts a `slow` call and waits until the upstream runs it; `answer` is what the agent gets, if anything. */
async function slowCall(
  client: Client,
  record: string,
  label: string,
  ms?: number,
): Promise<{ answer: Promise<unknown> }> {
  const answer = client
    .callTool({ name: 'slow', arguments: ms === undefined ? { label } : { label, ms } }, undefined, { timeout: 60_000 })
    .catch((error: unknown) => error);
  await eventually(() => events(record, label).includes('started'));
  return { answer };
}

function endSession(client: Client): Promise<void> {
  return (client.transport as StreamableHTTPClientTransport).terminateSession();
}

before(async () => {
  plane = await startPlane();
  reads = recordFile();
  writes = recordFile();
  gateway = await startGateway(
    plane,
    gatewayConfig(plane, {
      docs: { ...testUpstream(reads), tools: { slow: 'read' } },
      mail: testUpstream(writes),
    }),
  );
  token = await plane.token('agent', 'acme');
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.close();
  await plane.plane.close();
});

describe('a read whose MCP client went away is cancelled upstream', () => {
  it('when the client closes its connection mid-call (no DELETE, no notifications/cancelled)', async () => {
    const client = await agent('docs');
    await slowCall(client, reads, 'read-connection-closed');
    assert.equal(gateway.inFlight.count, 1);
    await client.close();
    await eventually(() => events(reads, 'read-connection-closed').includes('cancelled'), GONE_WITHIN_MS);
    await eventually(() => gateway.inFlight.count === 0, GONE_WITHIN_MS);
  });

  it('when the client ends its session mid-call', async () => {
    const client = await agent('docs');
    await slowCall(client, reads, 'read-session-ended');
    await endSession(client);
    await eventually(() => events(reads, 'read-session-ended').includes('cancelled'), GONE_WITHIN_MS);
    await eventually(() => gateway.inFlight.count === 0, GONE_WITHIN_MS);
  });

  it('the client’s other sessions and calls go on', async () => {
    const staying = await agent('docs');
    const leaving = await agent('docs');
    const kept = await slowCall(staying, reads, 'read-kept', 1500);
    await slowCall(leaving, reads, 'read-left');
    await leaving.close();
    await eventually(() => events(reads, 'read-left').includes('cancelled'), GONE_WITHIN_MS);
    assert.equal(resultText(await kept.answer), 'finished');
    assert.deepEqual(events(reads, 'read-kept'), ['started', 'finished']);
  });
});

describe('a write already sent upstream runs to its end when its MCP client goes away, and its reply is kept', () => {
  it('when the client closes its connection mid-call: the retry gets the kept reply, nothing runs twice', async () => {
    const client = await agent('mail');
    await slowCall(client, writes, 'write-connection-closed', 1500);
    await client.close();
    await eventually(() => events(writes, 'write-connection-closed').includes('finished'));
    assert.deepEqual(events(writes, 'write-connection-closed'), ['started', 'finished']);

    const retry = await agent('mail');
    const answer = await retry.callTool({ name: 'slow', arguments: { label: 'write-connection-closed', ms: 1500 } });
    assert.equal(resultText(answer), 'finished');
    assert.deepEqual(events(writes, 'write-connection-closed'), ['started', 'finished']);
  });

  it('when the client ends its session mid-call', async () => {
    const client = await agent('mail');
    await slowCall(client, writes, 'write-session-ended', 1500);
    await endSession(client);
    await eventually(() => events(writes, 'write-session-ended').includes('finished'));
    assert.deepEqual(events(writes, 'write-session-ended'), ['started', 'finished']);
  });

  it('notifications/cancelled from a client still there still cancels it', async () => {
    const client = await agent('mail');
    const controller = new AbortController();
    const running = client
      .callTool({ name: 'slow', arguments: { label: 'write-cancelled' } }, undefined, { signal: controller.signal })
      .catch((error: unknown) => error);
    await eventually(() => events(writes, 'write-cancelled').includes('started'));
    controller.abort('changed my mind');
    await running;
    await eventually(() => events(writes, 'write-cancelled').includes('cancelled'), GONE_WITHIN_MS);
  });
});
