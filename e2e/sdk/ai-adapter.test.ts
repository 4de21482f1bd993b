import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateText, jsonSchema, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { guardTools } from '@estop/sdk/ai';
import {
  heldUntilAborted,
  killRunMidCall,
  startRealControlPlane,
  type RealControlPlane,
} from './real-control-plane.js';
import { waitFor } from '../../packages/sdk/test/wait-for.js';

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

/** A model that asks for one tool call, then answers with text once it has the tool's result. */
function modelCalling(toolName: string, input: unknown): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    doGenerate: [
      {
        content: [{ type: 'tool-call', toolCallId: 'call-1', toolName, input: JSON.stringify(input) }],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage,
        warnings: [],
      },
      {
        content: [{ type: 'text', text: 'done' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage,
        warnings: [],
      },
    ],
  });
}

/** What the model was sent as the result of its tool call, on its second call. */
function toolResultSent(model: MockLanguageModelV3): any {
  const prompt = model.doGenerateCalls[1]?.prompt ?? [];
  const message = prompt.find((entry) => entry.role === 'tool');
  return message?.content.find((part) => part.type === 'tool-result')?.output;
}

const recipient = jsonSchema<{ to: string }>({
  type: 'object',
  properties: { to: { type: 'string' } },
  required: ['to'],
});

describe('AI SDK tools guarded by a run: decided first, refused visibly, aborted by a kill', () => {
  let control: RealControlPlane;

  before(async () => {
    control = await startRealControlPlane();
  });
  after(async () => {
    await control.close();
  });

  it('an allowed call runs and the model gets its result', async () => {
    const run = control.guard.startRun({ tenant: 'ai-allowed', agent: 'mailer' });
    const sent: string[] = [];
    const tools = guardTools(
      run,
      { sendEmail: tool({ inputSchema: recipient, execute: async ({ to }) => (sent.push(to), `sent to ${to}`) }) },
      { sendEmail: { effect: 'write' } },
    );
    const model = modelCalling('sendEmail', { to: 'a@example.com' });
    const result = await generateText({ model, tools, prompt: 'send it', stopWhen: stepCountIs(3) });
    assert.deepEqual(sent, ['a@example.com']);
    assert.equal(result.text, 'done');
    assert.deepEqual(toolResultSent(model), { type: 'text', value: 'sent to a@example.com' });
    assert.equal(run.usage().toolCalls, 1);
    await run.end();
  });

  it('a write refused by read_only never runs, and the model sees a tool error naming the refusal', async () => {
    const rule = await control.rule({ scope: { tenant: 'ai-denied' }, mode: 'read_only', reason: 'incident 7' });
    const run = control.guard.startRun({ tenant: 'ai-denied', agent: 'mailer' });
    let ran = false;
    const tools = guardTools(
      run,
      { sendEmail: tool({ inputSchema: recipient, execute: async () => ((ran = true), 'sent') }) },
      { sendEmail: { effect: 'write' } },
    );
    const model = modelCalling('sendEmail', { to: 'a@example.com' });
    const result = await generateText({ model, tools, prompt: 'send it', stopWhen: stepCountIs(3) });
    assert.equal(ran, false);
    const errors = result.steps.flatMap((step) => step.content.filter((part) => part.type === 'tool-error'));
    assert.equal(errors.length, 1);
    const sent = toolResultSent(model);
    assert.equal(sent.type, 'error-text');
    assert.match(sent.value, /sendEmail: deny \(read_only\): incident 7/);
    assert.equal(run.status, 'running');
    await run.end();
    await control.lift(rule.id);
  });

  it('a draft_only write is recorded, not run, and the model gets the draft as the tool output', async () => {
    const rule = await control.rule({ scope: { tenant: 'ai-drafted' }, mode: 'draft_only', reason: 'review first' });
    const run = control.guard.startRun({ tenant: 'ai-drafted', agent: 'mailer' });
    let ran = false;
    const tools = guardTools(
      run,
      { sendEmail: tool({ inputSchema: recipient, execute: async () => ((ran = true), 'sent') }) },
      { sendEmail: { effect: 'write' } },
    );
    const model = modelCalling('sendEmail', { to: 'a@example.com' });
    await generateText({ model, tools, prompt: 'send it', stopWhen: stepCountIs(3) });
    assert.equal(ran, false);
    const sent = toolResultSent(model);
    assert.equal(sent.type, 'json');
    assert.equal(sent.value.drafted, true);
    assert.match(sent.value.message, new RegExp(`not executed.*draft ${sent.value.draftId}`));
    assert.equal(run.usage().toolCalls, 0);
    await run.end();
    await control.lift(rule.id);
  });

  it("a kill mid-call aborts the tool's abortSignal with the stop reason", async () => {
    const run = control.guard.startRun({ tenant: 'ai-killed', agent: 'mailer' });
    const held = heldUntilAborted();
    const tools = guardTools(run, {
      sendEmail: tool({ inputSchema: recipient, execute: (_input, { abortSignal }) => held.body(abortSignal!) }),
    });
    const model = modelCalling('sendEmail', { to: 'a@example.com' });
    const generating = generateText({ model, tools, prompt: 'send it', abortSignal: run.signal }).catch(
      (error: unknown) => error,
    );
    const rule = await killRunMidCall(control, run, held);
    assert.ok(await generating);
    assert.equal(model.doGenerateCalls.length, 1);
    await control.lift(rule.id);
  });

  it("the framework's own abortSignal reaches the tool too", async () => {
    const run = control.guard.startRun({ tenant: 'ai-cancelled', agent: 'mailer' });
    const held = heldUntilAborted();
    const tools = guardTools(run, {
      sendEmail: tool({ inputSchema: recipient, execute: (_input, { abortSignal }) => held.body(abortSignal!) }),
    });
    const cancel = new AbortController();
    const model = modelCalling('sendEmail', { to: 'a@example.com' });
    const generating = generateText({ model, tools, prompt: 'send it', abortSignal: cancel.signal }).catch(
      (error: unknown) => error,
    );
    await waitFor('the tool to start', held.started);
    cancel.abort(new Error('user cancelled'));
    await waitFor('the tool signal to abort', () => held.signal()?.aborted === true);
    assert.ok(await generating);
    assert.equal(run.status, 'running');
    await run.end();
  });
});
