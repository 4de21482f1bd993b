import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { guardMcpClient } from '@estop/sdk/mcp';
import { RunStoppedError } from '@estop/sdk';
import { startRealControlPlane, type RealControlPlane } from './real-control-plane.js';
import { waitFor } from '../../packages/sdk/test/wait-for.js';

/** A real MCP server in this process, over an in-memory transport, counting what its tools did. */
async function startMailServer() {
  const sent: string[] = [];
  const cancelled: string[] = [];
  let slowStarted = 0;
  let failures = 0;
  const server = new McpServer({ name: 'mail', version: '1.0.0' });
  server.registerTool('send_email', { inputSchema: { to: z.string() } }, ({ to }) => {
    sent.push(to);
    return { content: [{ type: 'text', text: `sent ${sent.length} to ${to}` }] };
  });
  server.registerTool(
    'lookup',
    { inputSchema: { query: z.string() }, annotations: { readOnlyHint: true } },
    ({ query }) => ({ content: [{ type: 'text', text: `found ${query}` }] }),
  );
  server.registerTool('flaky_send', { inputSchema: { to: z.string() } }, ({ to }) => {
    failures++;
    if (failures === 1) return { content: [{ type: 'text', text: 'smtp down' }], isError: true };
    sent.push(to);
    return { content: [{ type: 'text', text: `sent to ${to}` }] };
  });
  server.registerTool('slow_send', { inputSchema: { to: z.string() } }, ({ to }, extra) => {
    slowStarted++;
    return new Promise((resolve) => {
      extra.signal.addEventListener('abort', () => {
        cancelled.push(to);
        resolve({ content: [{ type: 'text', text: 'cancelled' }] });
      });
    });
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(clientSide);
  return {
    client,
    sent,
    cancelled,
    slowStarted: () => slowStarted,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

type Mail = Awaited<ReturnType<typeof startMailServer>>;
const text = (result: any): string => result.content.map((part: any) => part.text).join('');

describe('an MCP client guarded by a run: every callTool decided first, refusals as results, kills cancel upstream', () => {
  let control: RealControlPlane;
  let mail: Mail;

  before(async () => {
    control = await startRealControlPlane();
    mail = await startMailServer();
  });
  after(async () => {
    await mail.close();
    await control.close();
  });

  it('an allowed write reaches the server once; a repeat gets its result without reaching it again', async () => {
    const run = control.guard.startRun({ tenant: 'mcp-allowed', agent: 'mailer' });
    const client = guardMcpClient(run, mail.client);
    const first = await client.callTool({ name: 'send_email', arguments: { to: 'ada@example.com' } });
    const repeat = await client.callTool({ name: 'send_email', arguments: { to: 'ada@example.com' } });
    assert.equal(text(first), `sent ${mail.sent.length} to ada@example.com`);
    assert.deepEqual(repeat, first);
    assert.equal(mail.sent.filter((to) => to === 'ada@example.com').length, 1);
    assert.equal(client.getServerVersion()?.name, 'mail');
    await run.end();
  });

  it('under read_only a write gets an isError result and never reaches the server; a readOnlyHint tool still runs', async () => {
    const rule = await control.rule({ scope: { tenant: 'mcp-denied' }, mode: 'read_only', reason: 'incident 12' });
    const run = control.guard.startRun({ tenant: 'mcp-denied', agent: 'mailer' });
    const client = guardMcpClient(run, mail.client);
    const before = mail.sent.length;
    const refused = await client.callTool({ name: 'send_email', arguments: { to: 'bob@example.com' } });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /refused and did not run: send_email: deny \(read_only\): incident 12/);
    assert.equal(mail.sent.length, before);
    const found = await client.callTool({ name: 'lookup', arguments: { query: 'estop' } });
    assert.equal(text(found), 'found estop');
    await run.end();
    await control.lift(rule.id);
  });

  it('with a server name, a rule on its tool glob stops it and leaves the same tool name elsewhere alone', async () => {
    const rule = await control.rule({ scope: { tool: 'mail.*' }, mode: 'full_stop', reason: 'mail off' });
    const run = control.guard.startRun({ tenant: 'mcp-named', agent: 'mailer' });
    const refused = await guardMcpClient(run, mail.client, { server: 'mail' }).callTool({
      name: 'lookup',
      arguments: { query: 'x' },
    });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /mail\.lookup: deny \(full_stop\): mail off/);
    const unnamed = await guardMcpClient(run, mail.client).callTool({ name: 'lookup', arguments: { query: 'x' } });
    assert.equal(text(unnamed), 'found x');
    await run.end();
    await control.lift(rule.id);
  });

  it('under draft_only a write is recorded, not sent, and the result names the draft', async () => {
    const rule = await control.rule({ scope: { tenant: 'mcp-drafted' }, mode: 'draft_only', reason: 'review' });
    const run = control.guard.startRun({ tenant: 'mcp-drafted', agent: 'mailer' });
    const before = mail.sent.length;
    const drafted = await guardMcpClient(run, mail.client).callTool({
      name: 'send_email',
      arguments: { to: 'cy@example.com' },
    });
    assert.notEqual(drafted.isError, true);
    const structured = drafted.structuredContent as { drafted: boolean; draftId: string; executed: boolean };
    assert.equal(structured.drafted, true);
    assert.equal(structured.executed, false);
    assert.match(text(drafted), new RegExp(`not executed.*${structured.draftId}`));
    assert.equal(mail.sent.length, before);
    await run.end();
    await control.lift(rule.id);
  });

  it("a tool's error result is passed on and releases the write's key, so a retry is sent", async () => {
    const run = control.guard.startRun({ tenant: 'mcp-flaky', agent: 'mailer' });
    const client = guardMcpClient(run, mail.client);
    const failed = await client.callTool({ name: 'flaky_send', arguments: { to: 'di@example.com' } });
    assert.equal(failed.isError, true);
    assert.equal(text(failed), 'smtp down');
    const retried = await client.callTool({ name: 'flaky_send', arguments: { to: 'di@example.com' } });
    assert.equal(text(retried), 'sent to di@example.com');
    await run.end();
  });

  it('a read_only rule with cancelInFlight cancels a write in flight: the result says so and the run goes on', async () => {
    const run = control.guard.startRun({ tenant: 'mcp-cancelled', agent: 'mailer' });
    const started = mail.slowStarted();
    const calling = guardMcpClient(run, mail.client).callTool({
      name: 'slow_send',
      arguments: { to: 'fe@example.com' },
    });
    await waitFor('the server to start the call', () => mail.slowStarted() > started);
    const rule = await control.rule({
      scope: { tenant: 'mcp-cancelled' },
      mode: 'read_only',
      reason: 'stop sending',
      cancelInFlight: true,
    });
    const result = await calling;
    assert.equal(result.isError, true);
    assert.match(text(result), /cancelled while it ran: slow_send: deny \(read_only\): stop sending/);
    await waitFor('the server to see the cancellation', () => mail.cancelled.includes('fe@example.com'));
    assert.equal(run.status, 'running');
    await run.end();
    await control.lift(rule.id);
  });

  it('a kill mid-call throws the RunStoppedError and cancels the call on the server', async () => {
    const run = control.guard.startRun({ tenant: 'mcp-killed', agent: 'mailer' });
    const started = mail.slowStarted();
    const calling = guardMcpClient(run, mail.client)
      .callTool({ name: 'slow_send', arguments: { to: 'ed@example.com' } })
      .catch((error: unknown) => error);
    await waitFor('the server to start the call', () => mail.slowStarted() > started);
    const rule = await control.rule({
      scope: { run: run.id },
      mode: 'full_stop',
      reason: 'looping',
      cancelInFlight: true,
    });
    const outcome = await calling;
    assert.ok(outcome instanceof RunStoppedError);
    assert.equal(outcome.stopReason, `killed:${rule.id}`);
    await waitFor('the server to see the cancellation', () => mail.cancelled.includes('ed@example.com'));
    await control.lift(rule.id);
  });
});
