import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, type McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { TEST_TOOLS } from './fixtures/mcp-test-tools.js';
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

let plane: TestPlane;
let gateway: TestGateway;
let record: string;
let acmeToken: string;
let globexToken: string;
const clients: Client[] = [];

async function agent(token: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = await connectClient(`${gateway.url}/mcp/mail`, { authorization: `Bearer ${token}`, ...headers });
  clients.push(client);
  return client;
}

async function rule(body: Record<string, unknown>): Promise<{ id: string; version: number }> {
  const created = await plane.api('/v1/rules', { reason: 'test', ...body });
  await eventually(() => gateway.guard.version >= created.version);
  return { id: created.rule.id, version: created.version };
}

async function lift(id: string): Promise<void> {
  const lifted = await plane.api(`/v1/rules/${id}/lift`, { reason: 'test over' });
  await eventually(() => gateway.guard.version >= lifted.version);
}

function sentTo(to: string): number {
  return readRecord(record).filter((entry) => entry.tool === 'send_email' && entry.to === to).length;
}

before(async () => {
  plane = await startPlane();
  record = recordFile();
  gateway = await startGateway(plane, gatewayConfig(plane, { mail: testUpstream(record) }));
  acmeToken = await plane.token('agent', 'acme');
  globexToken = await plane.token('agent', 'globex');
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway.close();
  await plane.plane.close();
});

const ALL_TOOLS = TEST_TOOLS.map((tool) => tool.name).sort();

describe('the gateway proxies an upstream MCP server', () => {
  it('lists the upstream tools with their annotations and calls them', async () => {
    const client = await agent(acmeToken);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), ALL_TOOLS);
    assert.equal(tools.find((tool) => tool.name === 'lookup')?.annotations?.readOnlyHint, true);
    assert.equal(resultText(await client.callTool({ name: 'lookup', arguments: { query: 'estop' } })), 'found: estop');
    const sent = await client.callTool({ name: 'send_email', arguments: { to: 'first@example.com' } });
    assert.equal(sent.isError, undefined);
    assert.equal(sentTo('first@example.com'), 1);
  });

  it('relays the upstream progress notifications of a call', async () => {
    const client = await agent(acmeToken);
    const seen: number[] = [];
    const result = await client.callTool({ name: 'progress', arguments: {} }, undefined, {
      onprogress: (progress) => seen.push(progress.progress),
    });
    assert.equal(resultText(result), 'done');
    assert.deepEqual(seen, [1, 2]);
  });

  it('passes the upstream protocol errors through unchanged', async () => {
    const client = await agent(acmeToken);
    await assert.rejects(client.getPrompt({ name: 'missing' }), (error: McpError) => {
      assert.equal(error.code, ErrorCode.InvalidParams);
      // As a client talking to the upstream directly sees it: the SDK's server puts its own
      // prefix into the message on the wire, the client adds one more.
      assert.equal(error.message, 'MCP error -32602: MCP error -32602: no prompt named missing');
      assert.deepEqual(error.data, { known: ['greeting'] });
      return true;
    });
  });

  it('passes resources and prompts through', async () => {
    const client = await agent(acmeToken);
    assert.deepEqual(
      (await client.listResources()).resources.map((resource) => resource.uri),
      ['test://readme', 'test://counter'],
    );
    const read = await client.readResource({ uri: 'test://readme' });
    assert.equal((read.contents[0] as { text: string }).text, 'contents of test://readme');
    assert.deepEqual(
      (await client.listPrompts()).prompts.map((prompt) => prompt.name),
      ['greeting'],
    );
    const prompt = await client.getPrompt({ name: 'greeting' });
    assert.equal((prompt.messages[0]?.content as { text: string }).text, 'hello from greeting');
  });
});

describe('a read_only tenant keeps its reads and loses its writes; other tenants are unaffected', () => {
  it('refuses acme writes with a result the model can act on, and forwards nothing', async () => {
    const acme = await agent(acmeToken);
    const globex = await agent(globexToken);
    const stop = await rule({ scope: { tenant: 'acme' }, mode: 'read_only', reason: 'duplicate emails' });
    try {
      assert.equal(resultText(await acme.callTool({ name: 'lookup', arguments: { query: 'still' } })), 'found: still');

      const refused = await acme.callTool({ name: 'send_email', arguments: { to: 'refused@example.com' } });
      assert.equal(refused.isError, true);
      assert.equal(
        resultText(refused),
        `estop: this call was refused: tenant acme is read_only (rule ${stop.id}): duplicate emails. Do not retry it; tell the user it is stopped.`,
      );
      assert.equal(sentTo('refused@example.com'), 0);

      const other = await globex.callTool({ name: 'send_email', arguments: { to: 'globex@example.com' } });
      assert.equal(other.isError, undefined);
      assert.equal(sentTo('globex@example.com'), 1);
    } finally {
      await lift(stop.id);
    }
  });

  it('a draft_only write is recorded as a draft: a normal result saying it was not executed', async () => {
    const acme = await agent(acmeToken);
    const stop = await rule({ scope: { tenant: 'acme', tool: 'mail.send_email' }, mode: 'draft_only' });
    try {
      const drafted = await acme.callTool({ name: 'send_email', arguments: { to: 'draft@example.com' } });
      assert.notEqual(drafted.isError, true);
      assert.match(resultText(drafted), /^estop: mail\.send_email was not executed: .*draft_only.*recorded as draft/);
      assert.equal((drafted.structuredContent as any)?.drafted, true);
      assert.equal(sentTo('draft@example.com'), 0);
    } finally {
      await lift(stop.id);
    }
  });
});

describe('a tool-scoped full_stop hides the tool from that tenant only', () => {
  it('drops the tool from tools/list, tells the session the list changed, and restores it', async () => {
    const acme = await agent(acmeToken);
    const globex = await agent(globexToken);
    let changes = 0;
    acme.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changes += 1;
    });
    // The notification arrives on the session's standalone stream, opened after initialization.
    await eventually(async () => (await acme.listTools()).tools.length === TEST_TOOLS.length);

    const stop = await rule({ scope: { tenant: 'acme', tool: 'mail.send_email' }, mode: 'full_stop' });
    await eventually(() => changes > 0);
    const names = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();
    assert.deepEqual(
      await names(acme),
      ALL_TOOLS.filter((name) => name !== 'send_email'),
    );
    assert.deepEqual(await names(globex), ALL_TOOLS);
    const refused = await acme.callTool({ name: 'send_email', arguments: { to: 'hidden@example.com' } });
    assert.equal(refused.isError, true);
    assert.equal(sentTo('hidden@example.com'), 0);

    const before = changes;
    await lift(stop.id);
    await eventually(() => changes > before);
    assert.deepEqual(await names(acme), ALL_TOOLS);
  });
});

describe('a rule with cancelInFlight cancels the call upstream', () => {
  it('sends notifications/cancelled upstream and answers the agent naming the rule', async () => {
    const acme = await agent(acmeToken);
    const running = acme.callTool({ name: 'slow', arguments: { label: 'cancel-me' } });
    await eventually(() =>
      readRecord(record).some(
        (entry) => entry.tool === 'slow' && entry.label === 'cancel-me' && entry.event === 'started',
      ),
    );
    assert.equal(gateway.inFlight.count, 1);
    const stop = await rule({ scope: { tenant: 'acme' }, mode: 'full_stop', reason: 'runaway', cancelInFlight: true });
    try {
      const result = await running;
      assert.equal(result.isError, true);
      assert.match(
        resultText(result),
        new RegExp(`^estop: mail\\.slow was cancelled while it ran: .*rule ${stop.id}.*runaway`),
      );
      await eventually(() =>
        readRecord(record).some(
          (entry) => entry.tool === 'slow' && entry.label === 'cancel-me' && entry.event === 'cancelled',
        ),
      );
      await eventually(() => gateway.inFlight.count === 0);
    } finally {
      await lift(stop.id);
    }
  });
});

describe('a tenant-bound token can never act as another tenant', () => {
  it('refuses a session whose headers name another tenant', async () => {
    await assert.rejects(agent(acmeToken, { 'x-estop-tenant': 'globex' }), /403|cannot act as globex/);
  });

  it('refuses a request in a session made with another caller’s token', async () => {
    const acme = await agent(acmeToken);
    const sessionId = (acme.transport as { sessionId?: string }).sessionId as string;
    const response = await fetch(`${gateway.url}/mcp/mail`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${globexToken}`,
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 99,
        method: 'tools/call',
        params: { name: 'send_email', arguments: { to: 'spoof@example.com' } },
      }),
    });
    assert.equal(response.status, 403);
    assert.equal(sentTo('spoof@example.com'), 0);
  });

  it('refuses a request without a valid agent token', async () => {
    await assert.rejects(agent('estop_not-a-token'), /401|not valid/);
  });

  it("answers a 401 with a problem carrying a code, like the control plane's", async () => {
    const response = await fetch(`${gateway.url}/mcp/mail`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer estop_not-a-token',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    const problem = (await response.json()) as Record<string, unknown>;
    assert.equal(problem.code, 'unauthorized');
    assert.equal(problem.status, 401);
  });
});
