import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  CancelTaskResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
  ListTasksResultSchema,
  TaskStatusNotificationSchema,
  type Task,
} from '@modelcontextprotocol/sdk/types.js';
import {
  eventually,
  gatewayConfig,
  readRecord,
  recordFile,
  startGateway,
  startHttpUpstream,
  startPlane,
  testUpstream,
  type TestGateway,
  type TestPlane,
} from './mcp-harness.js';
import { scenarioClient } from './mcp-protocol-scenario.js';

let plane: TestPlane;
let httpUpstream: { url: string; close(): Promise<void> };
let gateway: TestGateway;
const records = { local: recordFile(), remote: recordFile() };
const logged: Array<{ message: string; fields?: Record<string, unknown> | undefined }> = [];
const logger = {
  info: (message: string, fields?: Record<string, unknown>) => logged.push({ message, fields }),
  error: (message: string, fields?: Record<string, unknown>) => logged.push({ message, fields }),
};

before(async () => {
  plane = await startPlane();
  httpUpstream = await startHttpUpstream(records.remote);
  gateway = await startGateway(
    plane,
    gatewayConfig(plane, { local: testUpstream(records.local), remote: { url: httpUpstream.url } }),
    logger,
  );
});

after(async () => {
  await gateway.close();
  await httpUpstream.close();
  await plane.plane.close();
});

async function agent(server: string, tenant: string) {
  const agentClient = scenarioClient();
  const statuses: Task[] = [];
  agentClient.client.setNotificationHandler(TaskStatusNotificationSchema, (notification) => {
    statuses.push(notification.params);
  });
  const token = await plane.token('agent', tenant);
  await agentClient.client.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp/${server}`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return { ...agentClient, statuses };
}

async function rule(body: Record<string, unknown>): Promise<string> {
  const created = await plane.api('/v1/rules', { reason: 'test', ...body });
  await eventually(() => gateway.guard.version >= created.version);
  return created.rule.id as string;
}

const asTask = (name: string, args: Record<string, unknown>) => ({
  method: 'tools/call' as const,
  params: { name, arguments: args, task: { ttl: 60_000 } },
});

for (const server of ['local', 'remote'] as const) {
  const kind = server === 'local' ? 'stdio' : 'Streamable HTTP';
  const recorded = () => readRecord(records[server]);

  describe(`a task-augmented tools/call is decided like a call (${kind} upstream)`, () => {
    it('refuses a task-augmented write under read_only without creating a task upstream', async () => {
      const tenant = `tasks-read-only-${server}`;
      const { client } = await agent(server, tenant);
      const stop = await rule({ scope: { tenant }, mode: 'read_only' });
      try {
        await assert.rejects(
          client.request(asTask('send_email', { to: `${tenant}@example.com` }), CreateTaskResultSchema),
          /read_only/,
        );
        assert.equal(recorded().filter((entry) => entry.to === `${tenant}@example.com`).length, 0);
        assert.equal(recorded().filter((entry) => entry.task === 'created' && entry.tool === 'send_email').length, 0);
      } finally {
        await plane.api(`/v1/rules/${stop}/lift`, { reason: 'over' });
        await client.close();
      }
    });

    it('cancels the open task upstream when a cancelInFlight full_stop covers its caller, and reports it cancelled', async () => {
      const tenant = `tasks-stopped-${server}`;
      const { client, statuses } = await agent(server, tenant);
      const created = await client.request(asTask('slow', { label: tenant }), CreateTaskResultSchema);
      const taskId = created.task.taskId;
      await eventually(() => recorded().some((entry) => entry.tool === 'slow' && entry.label === tenant));
      // The open task is a call in flight, as the acknowledgements count them.
      assert.equal(gateway.inFlight.count, 1);
      const stop = await rule({ scope: { tenant }, mode: 'full_stop', cancelInFlight: true });
      try {
        await eventually(() => recorded().some((entry) => entry.task === 'cancelled' && entry.taskId === taskId));
        await eventually(() => statuses.some((status) => status.taskId === taskId && status.status === 'cancelled'));
        const task = await client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
        assert.equal(task.status, 'cancelled');
        assert.equal(gateway.inFlight.count, 0);
        assert.ok(
          logged.some(
            (line) =>
              line.message === 'mcp task cancelled' &&
              line.fields?.['task'] === taskId &&
              line.fields['status'] === 'cancelled' &&
              line.fields['rule'] === stop,
          ),
        );
      } finally {
        await plane.api(`/v1/rules/${stop}/lift`, { reason: 'over' });
        await client.close();
      }
    });
  });

  describe(`a session sees and acts on its own tasks only (${kind} upstream)`, () => {
    it("passes a task's status, told outside any request, to the session that created it only", async () => {
      const owner = await agent(server, `tasks-status-owner-${server}`);
      const other = await agent(server, `tasks-status-other-${server}`);
      try {
        const created = await owner.client.request(
          asTask('slow', { label: `status-${server}`, ms: 10 }),
          CreateTaskResultSchema,
        );
        const taskId = created.task.taskId;
        await eventually(() =>
          owner.statuses.some((status) => status.taskId === taskId && status.status === 'completed'),
        );
        await other.client.ping();
        assert.deepEqual(other.statuses, []);
      } finally {
        await owner.client.close();
        await other.client.close();
      }
    });

    it('refuses another session, even of the same tenant, its get, result and cancel, and lists it none', async () => {
      const tenant = `tasks-owner-${server}`;
      const owner = await agent(server, tenant);
      const other = await agent(server, tenant);
      try {
        const created = await owner.client.request(
          asTask('slow', { label: tenant, ms: 60_000 }),
          CreateTaskResultSchema,
        );
        const taskId = created.task.taskId;
        await assert.rejects(
          other.client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema),
          /Task not found/,
        );
        await assert.rejects(
          other.client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema),
          /Task not found/,
        );
        await assert.rejects(
          other.client.request({ method: 'tasks/cancel', params: { taskId } }, CancelTaskResultSchema),
          /Task not found/,
        );
        const listed = await other.client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
        assert.deepEqual(
          listed.tasks.filter((task) => task.taskId === taskId),
          [],
        );
        const own = await owner.client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
        assert.deepEqual(
          own.tasks.map((task) => task.taskId),
          [taskId],
        );
        const cancelled = await owner.client.request(
          { method: 'tasks/cancel', params: { taskId } },
          CancelTaskResultSchema,
        );
        assert.equal(cancelled.status, 'cancelled');
        assert.ok(recorded().some((entry) => entry.task === 'cancelled' && entry.taskId === taskId));
      } finally {
        await owner.client.close();
        await other.client.close();
      }
    });
  });
}
