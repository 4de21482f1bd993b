import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
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

/**
 * How long a session of a revoked token may outlive its revocation here: far above the second
 * the gateway promises (a slow machine must not fail this), far below a session's idle life.
 */
const CLOSED_WITHIN_MS = 5000;

let plane: TestPlane;
let gateway: TestGateway;
let record: string;
const clients: Client[] = [];

/** An agent token of tenant acme minted with `body`; returns its secret and id. */
async function mint(body: Record<string, unknown>): Promise<{ secret: string; id: string }> {
  const created = await plane.api('/v1/tokens', { role: 'agent', tenant: 'acme', ...body });
  return { secret: created.token as string, id: created.info.id as string };
}

async function agent(token: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = await connectClient(`${gateway.url}/mcp/mail`, { authorization: `Bearer ${token}`, ...headers });
  clients.push(client);
  return client;
}

function sentTo(to: string): number {
  return readRecord(record).filter((entry) => entry.tool === 'send_email' && entry.to === to).length;
}

before(async () => {
  plane = await startPlane();
  record = recordFile();
  gateway = await startGateway(plane, gatewayConfig(plane, { mail: testUpstream(record) }));
  const created = await plane.api('/v1/rules', {
    scope: { tenant: 'acme', agent: 'mailer' },
    mode: 'read_only',
    reason: 'mailer loops',
  });
  await eventually(() => gateway.guard.version >= created.version);
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.close();
  await plane.plane.close();
});

describe('through the MCP gateway, an agent-bound token cannot step out of a stop on its agent', () => {
  it('a session naming another agent in x-estop-agent is refused', async () => {
    const { secret } = await mint({ name: 'mailer' });
    await assert.rejects(agent(secret, { 'x-estop-agent': 'innocent' }), /403|bound to agent mailer/);
  });

  it('its writes are refused whatever run it asserts', async () => {
    const { secret } = await mint({ name: 'mailer-2', agent: 'mailer' });
    const variants: Record<string, string>[] = [{}, { 'x-estop-run': 'fresh-run' }, { 'x-estop-agent': 'mailer' }];
    for (const headers of variants) {
      const client = await agent(secret, headers);
      const refused = await client.callTool({ name: 'send_email', arguments: { to: 'mcp-bound@example.com' } });
      assert.equal(refused.isError, true);
    }
    assert.equal(sentTo('mcp-bound@example.com'), 0);
  });
});

describe('revoking an agent token closes its MCP sessions', () => {
  it("the session's notification stream ends and the session is gone", async () => {
    const { secret, id } = await mint({ name: 'short-lived' });
    const headers = {
      authorization: `Bearer ${secret}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const initialized = await fetch(`${gateway.url}/mcp/mail`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    });
    assert.equal(initialized.status, 200);
    const session = initialized.headers.get('mcp-session-id') as string;
    await initialized.text();
    const stream = await fetch(`${gateway.url}/mcp/mail`, {
      headers: { authorization: `Bearer ${secret}`, accept: 'text/event-stream', 'mcp-session-id': session },
    });
    assert.equal(stream.status, 200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const ended = (async () => {
      try {
        for (;;) if ((await reader.read()).done) return true;
      } catch {
        return true;
      }
    })();
    const revoked = await fetch(`${plane.url}/v1/tokens/${id}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer estop_mcp-test-admin-token' },
    });
    assert.equal(revoked.status, 204);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSED_WITHIN_MS)));
    assert.equal(await Promise.race([ended, late]), true, 'the session of the revoked token is still open');
    clearTimeout(timer);
  });
});
