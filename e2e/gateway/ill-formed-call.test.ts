import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { withGateway, type GovernedGateway } from './governed-gateway.js';

/** Nothing was drafted, and the audit chain still verifies. */
async function nothingRecorded(setup: GovernedGateway): Promise<void> {
  assert.deepEqual((await setup.cp.api('GET', '/v1/drafts?tenant=acme')).body.drafts, []);
  assert.equal((await setup.cp.api('GET', '/v1/audit/verify')).body.ok, true);
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`the gateway refuses calls whose tool name or arguments hold a lone surrogate or NUL, on ${kind}`, () => {
    it('an MCP call is refused as invalid params under draft_only, and nothing is drafted or sent', async (context) => {
      await withGateway(kind, context, async (setup) => {
        await setup.rule({ scope: { tenant: 'acme' }, mode: 'draft_only' });
        const client = await setup.client();
        const calls = [
          { name: 'send_email\ud800', arguments: { to: 'ann@example.com' } },
          { name: 'send_email', arguments: { to: 'ann@example.com\udc00' } },
          { name: 'send_email', arguments: { to: 'ann@example.com', ['cc\u0000']: 'x' } },
          { name: 'send_email', arguments: { to: 'ann@example.com', body: ['fine', 'nul\u0000'] } },
        ];
        for (const call of calls) {
          await assert.rejects(
            client.callTool(call),
            (error: unknown) =>
              error instanceof McpError &&
              error.code === ErrorCode.InvalidParams &&
              /must be well-formed Unicode \(no lone surrogates\) without NUL/.test(error.message),
            JSON.stringify(call),
          );
        }
        assert.equal(setup.sentTo('ann@example.com'), 0);
        await nothingRecorded(setup);
        // A well-formed call still becomes a draft.
        const drafted = await client.callTool({ name: 'send_email', arguments: { to: 'ann@example.com 🛑' } });
        assert.notEqual(drafted.isError, true);
        assert.equal((await setup.cp.api('GET', '/v1/drafts?tenant=acme')).body.drafts.length, 1);
      });
    });

    it('an HTTP write is refused with 400 invalid_request, and nothing is drafted or forwarded', async (context) => {
      await withGateway(kind, context, async (setup) => {
        await setup.rule({ scope: { tenant: 'acme' }, mode: 'draft_only' });
        for (const body of [
          '{"item":"\\ud800"}',
          '{"item":"a\\u0000"}',
          '{"\\udfff":1}',
          'plain text with a NUL \u0000',
        ]) {
          const response = await setup.call('orders.create', body);
          assert.equal(response.status, 400, body);
          assert.equal(response.headers.get('content-type'), 'application/problem+json');
          const problem = (await response.json()) as { code: string; detail: string };
          assert.equal(problem.code, 'invalid_request');
          assert.match(problem.detail, /^orders\.create: arguments\.body.* must be well-formed Unicode/);
        }
        assert.deepEqual(setup.upstream.bodies, []);
        await nothingRecorded(setup);
      });
    });
  });
}
