import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ToolMessage, type ToolCall } from '@langchain/core/messages';
import { DynamicStructuredTool } from '@langchain/core/tools';
import { guardLangChainTool, guardLangChainTools } from '@estop/sdk/langchain';
import { CallDeniedError, isDrafted, RunStoppedError } from '@estop/sdk';
import {
  heldUntilAborted,
  killRunMidCall,
  startRealControlPlane,
  type RealControlPlane,
} from './real-control-plane.js';
import { waitFor } from '../../packages/sdk/test/wait-for.js';

/** A `send_email` tool doing what `body` does with its input and the signal in its config. */
function sendEmailTool(body: (input: { to: string }, signal: AbortSignal | undefined) => Promise<string>) {
  return new DynamicStructuredTool({
    name: 'send_email',
    description: 'Sends an email',
    schema: {
      type: 'object' as const,
      properties: { to: { type: 'string' } },
      required: ['to'],
    },
    func: (input: { to: string }, _runManager, config) => body(input, config?.signal),
  });
}

const toolCall = (id: string): ToolCall => ({
  type: 'tool_call',
  id,
  name: 'send_email',
  args: { to: 'a@example.com' },
});

describe('LangChain.js tools guarded by a run: decided first, refused visibly, aborted by a kill', () => {
  let control: RealControlPlane;

  before(async () => {
    control = await startRealControlPlane();
  });
  after(async () => {
    await control.close();
  });

  it('an allowed call runs, with bare arguments and with a tool call', async () => {
    const run = control.guard.startRun({ tenant: 'langchain-allowed', agent: 'mailer' });
    const sent: string[] = [];
    const [sendEmail] = guardLangChainTools(run, [sendEmailTool(async ({ to }) => (sent.push(to), `sent to ${to}`))]);
    assert.equal(await sendEmail.invoke({ to: 'b@example.com' }), 'sent to b@example.com');
    const message = await sendEmail.invoke(toolCall('call-1'));
    assert.ok(message instanceof ToolMessage);
    assert.equal(message.content, 'sent to a@example.com');
    assert.equal(message.tool_call_id, 'call-1');
    assert.deepEqual(sent, ['b@example.com', 'a@example.com']);
    assert.equal(run.usage().toolCalls, 2);
    assert.equal(sendEmail.name, 'send_email');
    await run.end();
  });

  it('a write refused by read_only never runs: a tool call gets an error ToolMessage, bare arguments a CallDeniedError', async () => {
    const rule = await control.rule({ scope: { tenant: 'langchain-denied' }, mode: 'read_only', reason: 'incident 9' });
    const run = control.guard.startRun({ tenant: 'langchain-denied', agent: 'mailer' });
    let ran = false;
    const sendEmail = guardLangChainTool(
      run,
      sendEmailTool(async () => ((ran = true), 'sent')),
      { effect: 'write' },
    );
    const message = await sendEmail.invoke(toolCall('call-2'));
    assert.ok(message instanceof ToolMessage);
    assert.equal(message.status, 'error');
    assert.equal(message.tool_call_id, 'call-2');
    assert.match(String(message.content), /refused and did not run: send_email: deny \(read_only\): incident 9/);
    await assert.rejects(sendEmail.invoke({ to: 'b@example.com' }), CallDeniedError);
    assert.equal(ran, false);
    assert.equal(run.status, 'running');
    await run.end();
    await control.lift(rule.id);
  });

  it('a draft_only write is recorded, not run: a tool call gets a ToolMessage saying so, bare arguments the draft', async () => {
    const rule = await control.rule({ scope: { tenant: 'langchain-drafted' }, mode: 'draft_only', reason: 'review' });
    const run = control.guard.startRun({ tenant: 'langchain-drafted', agent: 'mailer' });
    let ran = false;
    const sendEmail = guardLangChainTool(
      run,
      sendEmailTool(async () => ((ran = true), 'sent')),
      { effect: 'write' },
    );
    const message = await sendEmail.invoke(toolCall('call-3'));
    assert.ok(message instanceof ToolMessage);
    assert.notEqual(message.status, 'error');
    assert.ok(isDrafted(message.artifact));
    assert.match(String(message.content), new RegExp(`not executed.*draft ${message.artifact.draftId}`));
    const bare = await sendEmail.invoke({ to: 'b@example.com' });
    assert.ok(isDrafted(bare));
    assert.equal(ran, false);
    await run.end();
    await control.lift(rule.id);
  });

  it("a kill mid-call aborts the signal in the tool's config with the stop reason", async () => {
    const run = control.guard.startRun({ tenant: 'langchain-killed', agent: 'mailer' });
    const held = heldUntilAborted();
    const [sendEmail] = guardLangChainTools(run, [sendEmailTool((_input, signal) => held.body(signal!))]);
    const calling = sendEmail.invoke(toolCall('call-3')).catch((error: unknown) => error);
    const rule = await killRunMidCall(control, run, held);
    const outcome = await calling;
    assert.ok(outcome instanceof RunStoppedError);
    await control.lift(rule.id);
  });

  it("the caller's own config signal reaches the tool too", async () => {
    const run = control.guard.startRun({ tenant: 'langchain-cancelled', agent: 'mailer' });
    const held = heldUntilAborted();
    const [sendEmail] = guardLangChainTools(run, [sendEmailTool((_input, signal) => held.body(signal!))]);
    const cancel = new AbortController();
    const calling = sendEmail
      .invoke({ to: 'a@example.com' }, { signal: cancel.signal })
      .catch((error: unknown) => error);
    await waitFor('the tool to start', held.started);
    cancel.abort(new Error('user cancelled'));
    await waitFor('the tool signal to abort', () => held.signal()?.aborted === true);
    await calling;
    assert.equal(run.status, 'running');
    await run.end();
  });
});
