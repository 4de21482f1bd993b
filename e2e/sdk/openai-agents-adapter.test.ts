import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, run as runAgent, setTracingDisabled, tool } from '@openai/agents-core';
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents-core/testing';
import { guardAgentTools } from '@estop/sdk/openai-agents';
import {
  heldUntilAborted,
  killRunMidCall,
  startRealControlPlane,
  type RealControlPlane,
} from './real-control-plane.js';
import { waitFor } from '../../packages/sdk/test/wait-for.js';

/** The `send_email` tool the scripted model calls, doing what `execute` does. */
function sendEmailTool(execute: (input: { to: string }, signal: AbortSignal | undefined) => Promise<string>) {
  return tool({
    name: 'send_email',
    description: 'Sends an email',
    parameters: {
      type: 'object' as const,
      properties: { to: { type: 'string' } },
      required: ['to'],
      additionalProperties: false as const,
    },
    strict: true,
    execute: (input, _context, details) => execute(input as { to: string }, details?.signal),
  });
}

/** A model that asks for one call of `send_email`, then answers once it has the call's output. */
function modelCallingSendEmail(): ScriptedModel {
  return new ScriptedModel([
    [functionCall('send_email', { to: 'a@example.com' }, { callId: 'call-1' })],
    [assistantMessage('done')],
  ]);
}

/** The output the model was sent for its call, on its second request. */
function outputSent(model: ScriptedModel): unknown {
  const input = model.calls[1]?.request.input;
  const item = Array.isArray(input)
    ? input.find((entry: any) => entry.type === 'function_call_result' && entry.callId === 'call-1')
    : undefined;
  return (item as any)?.output;
}

function textOf(output: unknown): string {
  return typeof output === 'string' ? output : ((output as any)?.text ?? JSON.stringify(output));
}

describe('OpenAI Agents SDK tools guarded by a run: decided first, refused visibly, aborted by a kill', () => {
  let control: RealControlPlane;

  before(async () => {
    setTracingDisabled(true);
    control = await startRealControlPlane();
  });
  after(async () => {
    await control.close();
  });

  it('an allowed call runs and the model gets its output', async () => {
    const run = control.guard.startRun({ tenant: 'agents-allowed', agent: 'mailer' });
    const sent: string[] = [];
    const sendEmail = sendEmailTool(async ({ to }) => (sent.push(to), `sent to ${to}`));
    const model = modelCallingSendEmail();
    const agent = new Agent({ name: 'mailer', model, tools: guardAgentTools(run, [sendEmail]) });
    const result = await runAgent(agent, 'send it');
    assert.deepEqual(sent, ['a@example.com']);
    assert.equal(result.finalOutput, 'done');
    assert.equal(textOf(outputSent(model)), 'sent to a@example.com');
    assert.equal(run.usage().toolCalls, 1);
    await run.end();
  });

  it('a write refused by read_only never runs, and the model is told it was refused and why', async () => {
    const rule = await control.rule({ scope: { tenant: 'agents-denied' }, mode: 'read_only', reason: 'incident 8' });
    const run = control.guard.startRun({ tenant: 'agents-denied', agent: 'mailer' });
    let ran = false;
    const sendEmail = sendEmailTool(async () => ((ran = true), 'sent'));
    const model = modelCallingSendEmail();
    const agent = new Agent({
      name: 'mailer',
      model,
      tools: guardAgentTools(run, [sendEmail], { send_email: { effect: 'write' } }),
    });
    const result = await runAgent(agent, 'send it');
    assert.equal(ran, false);
    assert.equal(result.finalOutput, 'done');
    assert.match(textOf(outputSent(model)), /refused and did not run: send_email: deny \(read_only\): incident 8/);
    assert.equal(run.status, 'running');
    await run.end();
    await control.lift(rule.id);
  });

  it('a draft_only write is recorded, not run, and the model is told so with the draft id', async () => {
    const rule = await control.rule({
      scope: { tenant: 'agents-drafted' },
      mode: 'draft_only',
      reason: 'review first',
    });
    const run = control.guard.startRun({ tenant: 'agents-drafted', agent: 'mailer' });
    let ran = false;
    const sendEmail = sendEmailTool(async () => ((ran = true), 'sent'));
    const model = modelCallingSendEmail();
    const agent = new Agent({
      name: 'mailer',
      model,
      tools: guardAgentTools(run, [sendEmail], { send_email: { effect: 'write' } }),
    });
    await runAgent(agent, 'send it');
    assert.equal(ran, false);
    assert.match(
      textOf(outputSent(model)),
      /send_email was not executed: .*recorded as draft \S+ for a person to review/,
    );
    await run.end();
    await control.lift(rule.id);
  });

  it("a kill mid-call aborts the tool's signal with the stop reason and ends the agent run", async () => {
    const run = control.guard.startRun({ tenant: 'agents-killed', agent: 'mailer' });
    const held = heldUntilAborted();
    const sendEmail = sendEmailTool((_input, signal) => held.body(signal!));
    const model = modelCallingSendEmail();
    const agent = new Agent({ name: 'mailer', model, tools: guardAgentTools(run, [sendEmail]) });
    // No signal is given to the agent run: the abort reaches the tool through the wrapper alone.
    const running = runAgent(agent, 'send it').then(
      () => undefined,
      (error: unknown) => error,
    );
    const rule = await killRunMidCall(control, run, held);
    assert.ok((await running) !== undefined, 'the agent run ends with an error');
    assert.equal(model.calls.length, 1);
    await control.lift(rule.id);
  });

  it("the agent run's own signal reaches the tool too", async () => {
    const run = control.guard.startRun({ tenant: 'agents-cancelled', agent: 'mailer' });
    const held = heldUntilAborted();
    const sendEmail = sendEmailTool((_input, signal) => held.body(signal!));
    const cancel = new AbortController();
    const agent = new Agent({
      name: 'mailer',
      model: modelCallingSendEmail(),
      tools: guardAgentTools(run, [sendEmail]),
    });
    const running = runAgent(agent, 'send it', { signal: cancel.signal }).catch((error: unknown) => error);
    await waitFor('the tool to start', held.started);
    cancel.abort(new Error('user cancelled'));
    await waitFor('the tool signal to abort', () => held.signal()?.aborted === true);
    await running;
    assert.equal(run.status, 'running');
    await run.end();
  });
});
