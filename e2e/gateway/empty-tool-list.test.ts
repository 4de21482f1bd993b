import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import {
  connectClient,
  eventually,
  gatewayConfig,
  recordFile,
  startGateway,
  startPlane,
  testUpstream,
  type TestGateway,
  type TestPlane,
} from './mcp-harness.js';

let plane: TestPlane;
let gateway: TestGateway;
let client: Client;
const messages: LoggingMessageNotification['params'][] = [];

before(async () => {
  plane = await startPlane();
  gateway = await startGateway(plane, gatewayConfig(plane, { mail: testUpstream(recordFile()) }));
  client = await connectClient(`${gateway.url}/mcp/mail`, {
    authorization: `Bearer ${await plane.token('agent', 'acme')}`,
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    messages.push(notification.params);
  });
});

after(async () => {
  await client.close();
  await gateway.close();
  await plane.plane.close();
});

describe('a tool list emptied by a tenant-wide full_stop says why', () => {
  it('sends a warning naming the scope, the rule and the reason with the empty list', async () => {
    const before = await client.listTools();
    assert.ok(before.tools.length > 0);
    assert.equal(messages.length, 0);

    const created = await plane.api('/v1/rules', { scope: { tenant: 'acme' }, mode: 'full_stop', reason: 'runaway' });
    await eventually(() => gateway.guard.version >= created.version);
    const listed = await client.listTools();
    assert.deepEqual(listed.tools, []);
    const warning = await eventually(() => messages.find((message) => message.level === 'warning'));
    assert.equal(warning.logger, 'estop');
    assert.equal(
      warning.data,
      `estop: every tool of mail is hidden: tenant acme is full_stop (rule ${created.rule.id}): runaway`,
    );
  });
});
