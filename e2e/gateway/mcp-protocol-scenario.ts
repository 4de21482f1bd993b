// One run through every feature of the protocol the test upstream offers, by an agent's client
// that can sample, elicit and list roots, and calls a tool as a task. Its transcript is the same whether the client talks to
// the upstream directly or through the gateway: that is what "transparent" means.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  CallToolResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
  ListTasksResultSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';

/** An agent's client with sampling, elicitation (form and URL) and roots, recording what it is sent. */
export interface ScenarioClient {
  readonly client: Client;
  readonly logged: string[];
  readonly updated: string[];
  readonly asked: string[];
}

/** A client that answers sampling, elicitation and roots requests as a fixed user would. */
export function scenarioClient(): ScenarioClient {
  const client = new Client(
    { name: 'estop-test-agent', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } } },
  );
  const logged: string[] = [];
  const updated: string[] = [];
  const asked: string[] = [];
  client.setRequestHandler(CreateMessageRequestSchema, (request) => {
    const first = request.params.messages[0]?.content;
    asked.push('sampling');
    return {
      role: 'assistant',
      model: 'test-model',
      content: { type: 'text', text: `echo ${first !== undefined && 'text' in first ? first.text : ''}` },
    };
  });
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(`elicitation/${request.params.mode ?? 'form'}`);
    return request.params.mode === 'url' ? { action: 'accept' } : { action: 'accept', content: { name: 'Ada' } };
  });
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    logged.push(String(notification.params.data));
  });
  client.setNotificationHandler(ElicitationCompleteNotificationSchema, (notification) => {
    asked.push(`completed ${notification.params.elicitationId}`);
  });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    updated.push(notification.params.uri);
  });
  return { client, logged, updated, asked };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `value` with the task's id and times replaced by fixed words, which differ from run to run. */
function withoutTaskIdentity(value: unknown, taskId: string): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, field: unknown) =>
      key === 'createdAt' || key === 'lastUpdatedAt' ? 'time' : field === taskId ? 'task' : field,
    ),
  );
}

/** Connects a scenario client over `transport` and runs the whole protocol, returning what it saw. */
export async function runScenario(transport: Transport): Promise<Record<string, unknown>> {
  const { client, logged, updated, asked } = scenarioClient();
  await client.connect(transport);
  const transcript: Record<string, unknown> = {};
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  try {
    const capabilities = client.getServerCapabilities();
    transcript['capabilities'] = capabilities;
    transcript['instructions'] = client.getInstructions();
    transcript['ping'] = await client.ping();
    const { tools } = await client.listTools();
    transcript['tools'] = tools.filter((tool) => tool.name !== 'crash' && tool.name !== 'slow');
    transcript['lookup'] = await call('lookup', { query: 'apple' });
    transcript['weather'] = await call('weather', { city: 'Oslo' });
    const progress: unknown[] = [];
    transcript['progress.result'] = await client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, {
      onprogress: (update) => progress.push(update),
    });
    transcript['progress'] = progress;
    transcript['setLevel'] = await client.setLoggingLevel('info');
    transcript['log.info'] = await call('log', { message: 'first' });
    await client.setLoggingLevel('debug');
    transcript['log.debug'] = await call('log', { message: 'second' });
    await until(() => logged.length >= 3);
    transcript['logged'] = [...logged];
    transcript['sample'] = await call('sample', { prompt: 'hi' });
    transcript['elicit.form'] = await call('elicit');
    transcript['elicit.url'] = await call('elicit', { url: 'https://example.com/sign-in' });
    transcript['roots'] = await call('roots');
    await until(() => asked.length >= 4);
    transcript['asked'] = [...asked];
    transcript['resources'] = await client.listResources();
    transcript['templates'] = await client.listResourceTemplates();
    transcript['read'] = await client.readResource({ uri: 'test://words/apple' });
    transcript['subscribe'] = await client.subscribeResource({ uri: 'test://counter' });
    await call('touch');
    await until(() => updated.length >= 1);
    transcript['updated'] = [...updated];
    transcript['unsubscribe'] = await client.unsubscribeResource({ uri: 'test://counter' });
    transcript['prompts'] = await client.listPrompts();
    transcript['prompt'] = await client.getPrompt({ name: 'greeting', arguments: { name: 'Ada' } });
    transcript['complete'] = await client.complete({
      ref: { type: 'ref/prompt', name: 'greeting' },
      argument: { name: 'name', value: 'ap' },
    });
    const created = await client.request(
      {
        method: 'tools/call',
        params: { name: 'lookup', arguments: { query: 'banana' }, task: { ttl: 60_000 } },
      },
      CreateTaskResultSchema,
    );
    const taskId = created.task.taskId;
    transcript['task.created'] = withoutTaskIdentity(created, taskId);
    const result = await client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema);
    transcript['task.result'] = withoutTaskIdentity(result, taskId);
    const task = await client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    transcript['task.get'] = withoutTaskIdentity(task, taskId);
    const listed = await client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    transcript['task.list'] = withoutTaskIdentity(listed, taskId);
    return transcript;
  } finally {
    await client.close();
  }
}
