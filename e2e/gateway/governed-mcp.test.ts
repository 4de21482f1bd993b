import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resultText } from './mcp-harness.js';
import { withGateway } from './governed-gateway.js';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`governed MCP tool calls through the gateway on ${kind}`, () => {
    it('an approval_gated write holds the request until an operator approves, then runs once', async (context) => {
      await withGateway(kind, context, async (setup) => {
        await setup.rule({ scope: { tenant: 'acme' }, mode: 'approval_gated' });
        const client = await setup.client();
        const call = client.callTool({ name: 'send_email', arguments: { to: 'ann@example.com' } });
        const approval = await setup.cp.pendingApproval('mail.send_email');
        assert.deepEqual(approval.call.args, { to: 'ann@example.com' });
        assert.equal(setup.sentTo('ann@example.com'), 0);
        await setup.cp.api('POST', `/v1/approvals/${approval.id}/approve`, { reason: 'fine' });
        const result = await call;
        assert.notEqual(result.isError, true);
        assert.equal(resultText(result), 'sent to ann@example.com');
        assert.equal(setup.sentTo('ann@example.com'), 1);
        assert.equal((await setup.cp.api('GET', `/v1/approvals/${approval.id}`)).body.status, 'used');
      });
    });

    it('a denied approval is a refusal the model can read, and the upstream never sees the call', async (context) => {
      await withGateway(kind, context, async (setup) => {
        await setup.rule({ scope: { tenant: 'acme' }, mode: 'approval_gated' });
        const client = await setup.client();
        const call = client.callTool({ name: 'send_email', arguments: { to: 'ben@example.com' } });
        const approval = await setup.cp.pendingApproval('mail.send_email');
        await setup.cp.api('POST', `/v1/approvals/${approval.id}/deny`, { reason: 'wrong list' });
        const result = await call;
        assert.equal(result.isError, true);
        assert.match(resultText(result), new RegExp(`approval ${approval.id} was denied by .+: wrong list`));
        assert.equal(setup.sentTo('ben@example.com'), 0);
      });
    });

    it('the client cancelling a call that waits for approval gets no answer and the call is not sent', async (context) => {
      await withGateway(kind, context, async (setup) => {
        await setup.rule({ scope: { tenant: 'acme' }, mode: 'approval_gated' });
        const client = await setup.client();
        const cancel = new AbortController();
        const call = client.callTool({ name: 'send_email', arguments: { to: 'eli@example.com' } }, undefined, {
          signal: cancel.signal,
        });
        const settled = call.then(
          () => 'answered',
          () => 'rejected',
        );
        const approval = await setup.cp.pendingApproval('mail.send_email');
        cancel.abort();
        assert.equal(await settled, 'rejected');
        const lookup = await client.callTool({ name: 'lookup', arguments: { query: 'still here' } });
        assert.equal(resultText(lookup), 'found: still here');
        assert.equal(setup.sentTo('eli@example.com'), 0);
        assert.equal((await setup.cp.api('GET', `/v1/approvals/${approval.id}`)).body.status, 'pending');
      });
    });

    it('a draft_only write is a normal result naming the draft, which the API lists; nothing is sent', async (context) => {
      await withGateway(kind, context, async (setup) => {
        await setup.rule({ scope: { tenant: 'acme' }, mode: 'draft_only' });
        const client = await setup.client();
        const result = await client.callTool({ name: 'send_email', arguments: { to: 'cat@example.com' } });
        assert.notEqual(result.isError, true);
        const draftId = (result.structuredContent as { draftId: string }).draftId;
        assert.match(resultText(result), new RegExp(`not executed.*draft ${draftId}`));
        const drafts = (await setup.cp.api('GET', '/v1/drafts?tenant=acme')).body.drafts;
        assert.deepEqual(
          drafts.map((draft: any) => [draft.id, draft.tool, draft.args]),
          [[draftId, 'mail.send_email', { to: 'cat@example.com' }]],
        );
        assert.equal(setup.sentTo('cat@example.com'), 0);
      });
    });

    it('the same write from two sessions runs once, and both get the first result', async (context) => {
      await withGateway(kind, context, async (setup) => {
        const first = await setup.client();
        const second = await setup.client();
        const call = { name: 'send_email', arguments: { to: 'dee@example.com', subject: 'invoice' } };
        const [one, two] = await Promise.all([first.callTool(call), second.callTool(call)]);
        assert.deepEqual(two.content, one.content);
        assert.equal(resultText(one), 'sent to dee@example.com');
        // The one that did not run says so.
        const marked = [one, two].filter((result) => result._meta?.['estop/replayed'] !== undefined);
        assert.equal(marked.length, 1);
        assert.equal(setup.sentTo('dee@example.com'), 1);
        const again = await first.callTool(call);
        assert.deepEqual(again.content, one.content);
        assert.deepEqual(again._meta?.['estop/replayed'], marked[0]?._meta?.['estop/replayed']);
        assert.equal(setup.sentTo('dee@example.com'), 1);
      });
    });

    it('refused calls are reported and audited as calls-blocked', async (context) => {
      await withGateway(kind, context, async (setup) => {
        const rule = await setup.rule({ scope: { tenant: 'acme' }, mode: 'read_only' });
        const client = await setup.client();
        for (const to of ['a@example.com', 'b@example.com']) {
          const refused = await client.callTool({ name: 'send_email', arguments: { to } });
          assert.equal(refused.isError, true);
        }
        await client.close();
        await setup.gateway.close();
        await setup.cp.plane.flushAudit();
        const blocked = (await setup.cp.api('GET', '/v1/audit')).body.entries.filter(
          (entry: any) => entry.action === 'calls-blocked',
        );
        assert.equal(blocked.length, 1, JSON.stringify(blocked));
        assert.equal(blocked[0].data.tool, 'mail.send_email');
        assert.equal(blocked[0].data.count, 2);
        assert.equal(blocked[0].ruleId ?? blocked[0].data.ruleId, rule.id);
      });
    });
  });
}
