import assert from 'node:assert/strict';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Guard } from '@estop/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createInFlightCalls, type TrackedInFlightCalls } from '../src/in-flight.js';
import { runStdioGateway } from '../src/mcp-stdio.js';
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

/** A client transport over a pair of streams, as a desktop client's pipe to the gateway would be. */
class StreamTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly #buffer = new ReadBuffer();

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
  ) {}

  async start(): Promise<void> {
    this.input.on('data', (chunk: Buffer) => {
      this.#buffer.append(chunk);
      for (let message = this.#buffer.readMessage(); message !== null; message = this.#buffer.readMessage()) {
        this.onmessage?.(message);
      }
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.output.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    this.output.end();
    this.onclose?.();
  }
}

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

    assert.deepEqual((await client.listTools()).tools.map((tool) => tool.name).sort(), [
      'crash',
      'lookup',
      'progress',
      'send_email',
      'slow',
    ]);
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
