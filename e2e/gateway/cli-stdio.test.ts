import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { eventually, startPlane, type TestPlane } from './http-harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(root, 'packages/cli/src/bin.ts');
const FIXTURE = fileURLToPath(new URL('./fixtures/mcp-test-server.ts', import.meta.url));

function text(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((part) => part.text ?? '').join('\n');
}

describe('estop gateway --stdio fronts one MCP server for a client that launches it', () => {
  let plane: TestPlane;
  let configFile: string;

  before(async () => {
    plane = await startPlane();
    const directory = await mkdtemp(join(tmpdir(), 'estop-gateway-stdio-'));
    configFile = join(directory, 'gateway.yaml');
    await writeFile(
      configFile,
      [
        `control_plane: {url: "${plane.url}"}`,
        'stdio: {tenant: acme, agent: desktop}',
        'mcp:',
        '  servers:',
        '    mail:',
        `      command: ${JSON.stringify(process.execPath)}`,
        `      args: ["--conditions=source", "--import", "tsx", ${JSON.stringify(FIXTURE)}]`,
        `      cwd: ${JSON.stringify(root)}`,
        `      env: {MCP_TEST_RECORD: ${JSON.stringify(join(directory, 'record.jsonl'))}}`,
        '',
      ].join('\n'),
    );
  });
  after(() => plane.close());

  /** Launches `estop gateway --stdio` as a desktop client would, with its own enforcer token, and connects to it. */
  async function launch(tokenName: string): Promise<Client> {
    const enforcer = await plane.token('enforcer', tokenName);
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
    delete env.NODE_OPTIONS;
    delete env.NODE_TEST_CONTEXT;
    env.ESTOP_TOKEN = enforcer;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        '--conditions=source',
        '--import',
        'tsx',
        CLI,
        'gateway',
        '--stdio',
        '--config',
        configFile,
        '--server',
        'mail',
      ],
      env,
      cwd: root,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    return client;
  }

  /** The stdio gateways the control plane lists, by id. */
  async function stdioGateways(): Promise<Map<string, { connected: boolean }>> {
    const answer = await plane.api('/v1/enforcers?limit=1000');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const records = answer.body.enforcers as { id: string; name: string; connected: boolean }[];
    return new Map(
      records.filter((record) => record.name.startsWith('gateway-stdio@')).map((record) => [record.id, record]),
    );
  }

  it('serves reads and refuses writes of a read_only tenant, then exits when the client goes away', async () => {
    const client = await launch('stdio-gateway');
    try {
      const { version } = await plane.rule({ scope: { tenant: 'acme' }, mode: 'read_only', reason: 'desktop test' });
      await eventually(async () => {
        const answer = await plane.api(`/v1/versions/${version}/enforcement?wait=2000`);
        return answer.body.total >= 1 && answer.body.acknowledged === answer.body.total;
      }, 30_000);
      const read = await client.callTool({ name: 'lookup', arguments: { query: 'estop' } });
      assert.notEqual(read.isError, true);
      const write = await client.callTool({ name: 'send_email', arguments: { to: 'someone@example.com' } });
      assert.equal(write.isError, true);
      assert.match(text(write), /read_only/);
      assert.match(text(write), /desktop test/);
    } finally {
      await client.close();
    }
  });

  it('deregisters when its client closes stdin: the control plane lists no stale gateway after it', async () => {
    const before = await stdioGateways();
    const client = await launch('stdio-gateway-leaving');
    const launched = await eventually(async () => {
      const connected = [...(await stdioGateways())].filter(([id, record]) => !before.has(id) && record.connected);
      return connected.length === 1 ? connected[0]?.[0] : undefined;
    }, 30_000);
    // Closing the transport ends the gateway's stdin and waits for the process to exit.
    await client.close();
    assert.equal((await stdioGateways()).has(launched), false, `gateway ${launched} is still listed after it exited`);
  });
});
