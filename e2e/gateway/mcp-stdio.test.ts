import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Guard } from '@estop/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createInFlightCalls, runStdioGateway, type TrackedInFlightCalls } from '@estop/gateway';
import {
  eventually,
  gatewayConfig,
  readRecord,
  recordFile,
  resultText,
  startGuard,
  startPlane,
  testUpstream,
  type TestPlane,
} from './mcp-harness.js';
import { StreamTransport } from './stream-transport.js';
import { TEST_TOOLS } from './fixtures/mcp-test-tools.js';

let plane: TestPlane;
let guard: Guard;
let inFlight: TrackedInFlightCalls;

before(async () => {
  plane = await startPlane();
  guard = await startGuard(plane);
  inFlight = createInFlightCalls(guard);
});

after(async () => {
  inFlight.close();
  await guard.close();
  await plane.plane.close();
});

describe('the stdio gateway enforces the same decisions for a caller fixed at start', () => {
  it('lists and reads, refuses writes of a read_only tenant, and ends with its input', async () => {
    const record = recordFile();
    const toGateway = new PassThrough();
    const fromGateway = new PassThrough();
    const running = runStdioGateway({
      config: gatewayConfig(plane, { mail: testUpstream(record) }),
      guard,
      inFlight,
      caller: { tenant: 'acme', agent: 'desktop', name: 'stdio' },
      server: 'mail',
      input: toGateway,
      output: fromGateway,
    });
    const client = new Client({ name: 'estop-test-desktop', version: '1.0.0' });
    await client.connect(new StreamTransport(fromGateway, toGateway));

    assert.deepEqual(
      (await client.listTools()).tools.map((tool) => tool.name).sort(),
      TEST_TOOLS.map((tool) => tool.name).sort(),
    );
    const created = await plane.api('/v1/rules', { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'incident' });
    await eventually(() => guard.version >= created.version);
    assert.equal(resultText(await client.callTool({ name: 'lookup', arguments: { query: 'q' } })), 'found: q');
    const refused = await client.callTool({ name: 'send_email', arguments: { to: 'stdio@example.com' } });
    assert.equal(refused.isError, true);
    assert.match(resultText(refused), /tenant acme is read_only .*incident/);
    assert.equal(readRecord(record).filter((entry) => entry.tool === 'send_email').length, 0);

    await client.close();
    await running;
  });
});

describe('the stdio gateway, when its client goes away mid-call', () => {
  /** A stdio gateway on the test upstream (its `slow` a read when `slowIsRead`), and a client on it. */
  async function launch(record: string, slowIsRead: boolean) {
    const toGateway = new PassThrough();
    const fromGateway = new PassThrough();
    const upstream = { ...testUpstream(record), tools: slowIsRead ? { slow: 'read' } : {} };
    const running = runStdioGateway({
      config: gatewayConfig(plane, { mail: upstream }),
      guard,
      inFlight,
      caller: { tenant: 'stdio-departures', agent: 'desktop', name: 'stdio' },
      server: 'mail',
      input: toGateway,
      output: fromGateway,
    });
    const client = new Client({ name: 'estop-test-desktop', version: '1.0.0' });
    await client.connect(new StreamTransport(fromGateway, toGateway));
    return { client, running };
  }

  function events(record: string, label: string): unknown[] {
    return readRecord(record)
      .filter((entry) => entry.tool === 'slow' && entry.label === label)
      .map((entry) => entry.event);
  }

  it('cancels a read upstream', async () => {
    const record = recordFile();
    const { client, running } = await launch(record, true);
    const answer = client.callTool({ name: 'slow', arguments: { label: 'stdio-read' } }).catch((error) => error);
    await eventually(() => events(record, 'stdio-read').includes('started'));
    await client.close();
    await answer;
    // The test upstream's `slow` runs 30 s unless cancelled.
    await eventually(() => events(record, 'stdio-read').includes('cancelled'), 5000);
    await running;
  });

  it('lets a write already sent run to its end, and keeps its result for the retry', async () => {
    const record = recordFile();
    // Longer than the 2 s the SDK gives a stdio upstream to exit before it is killed.
    const write = { name: 'slow', arguments: { label: 'stdio-write', ms: 3000 } };
    const first = await launch(record, false);
    const answer = first.client.callTool(write).catch((error) => error);
    await eventually(() => events(record, 'stdio-write').includes('started'));
    await first.client.close();
    await answer;
    await first.running;
    assert.deepEqual(events(record, 'stdio-write'), ['started', 'finished']);

    const retry = await launch(record, false);
    assert.equal(resultText(await retry.client.callTool(write)), 'finished');
    assert.deepEqual(events(record, 'stdio-write'), ['started', 'finished']);
    await retry.client.close();
    await retry.running;
  });
});
