import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  connectClient,
  gatewayConfig,
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
let client: Client;
let ruleId: string;

before(async () => {
  plane = await startPlane();
  const created = await plane.api('/v1/rules', {
    scope: { tenant: 'acme', tool: 'mail.send_email' },
    mode: 'read_only',
    reason: 'before the gateway',
  });
  ruleId = created.rule.id;
  gateway = await startGateway(plane, gatewayConfig(plane, { mail: testUpstream(recordFile()) }));
  client = await connectClient(`${gateway.url}/mcp/mail`, {
    authorization: `Bearer ${await plane.token('agent', 'acme')}`,
  });
});

after(async () => {
  await client.close();
  await gateway.close();
  await plane.plane.close();
});

describe('a refusal names its scope also for a rule that existed when the gateway started', () => {
  it('reads "tenant acme tool mail.send_email is read_only", not "this scope"', async () => {
    const refused = await client.callTool({ name: 'send_email', arguments: { to: 'early@example.com' } });
    assert.equal(refused.isError, true);
    assert.equal(
      resultText(refused),
      `estop: this call was refused: tenant acme tool mail.send_email is read_only (rule ${ruleId}): before the gateway. Do not retry it; tell the user it is stopped.`,
    );
  });
});
