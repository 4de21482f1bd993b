import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  connectClient,
  eventually,
  gatewayConfig,
  readRecord,
  recordFile,
  resultText,
  startGateway,
  startHttpUpstream,
  startPlane,
  type TestGateway,
  type TestPlane,
} from './mcp-harness.js';

let plane: TestPlane;
let upstream: { url: string; close(): Promise<void> };
let gateway: TestGateway;
let record: string;
let client: Client;

before(async () => {
  plane = await startPlane();
  record = recordFile();
  upstream = await startHttpUpstream(record);
  gateway = await startGateway(
    plane,
    gatewayConfig(plane, { docs: { url: upstream.url, headers: { Authorization: 'Bearer upstream-secret' } } }),
  );
  client = await connectClient(`${gateway.url}/mcp/docs`, {
    authorization: `Bearer ${await plane.token('agent', 'acme')}`,
  });
});

after(async () => {
  await client.close();
  await gateway.close();
  await upstream.close();
  await plane.plane.close();
});

describe('a Streamable HTTP upstream is reached with the credentials the gateway holds', () => {
  it('sends the configured headers, not the agent’s token', async () => {
    const sessions = readRecord(record).filter((entry) => entry.session === true);
    assert.ok(sessions.length > 0);
    assert.ok(sessions.every((entry) => entry.authorization === 'Bearer upstream-secret'));
  });

  it('forwards allowed calls and refuses denied ones without revealing the credentials', async () => {
    const sent = await client.callTool({ name: 'send_email', arguments: { to: 'http@example.com' } });
    assert.equal(resultText(sent), 'sent to http@example.com');
    const created = await plane.api('/v1/rules', { scope: { tool: 'docs.*' }, mode: 'read_only', reason: 'audit' });
    await eventually(() => gateway.guard.version >= created.version);
    const refused = await client.callTool({ name: 'send_email', arguments: { to: 'refused@example.com' } });
    assert.equal(refused.isError, true);
    assert.match(resultText(refused), /tool docs\.\* is read_only/);
    assert.doesNotMatch(JSON.stringify(refused), /upstream-secret/);
    assert.equal(readRecord(record).filter((entry) => entry.to === 'refused@example.com').length, 0);
  });
});

describe('an HTTP upstream that restarts is reconnected', () => {
  it('fails calls with an error naming the server while it is down, then serves from the new process', async () => {
    const port = Number(new URL(upstream.url).port);
    await upstream.close();
    await assert.rejects(
      client.callTool({ name: 'lookup', arguments: { query: 'down' } }),
      /MCP server "docs" (went away during the request|is not available)/,
    );
    upstream = await startHttpUpstream(record, port);
    const result = await eventually(async () => {
      try {
        return await client.callTool({ name: 'lookup', arguments: { query: 'back' } });
      } catch {
        return undefined;
      }
    });
    assert.equal(resultText(result), 'found: back');
  });
});
