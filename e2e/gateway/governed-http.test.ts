import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withGateway, type GovernedGateway } from './governed-gateway.js';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`governed HTTP writes through the gateway on ${kind}`, () => {
    it('an approval_gated write is held until approved, then forwarded once', async (context) => {
      await withGateway(kind, context, async (setup) => {
        await setup.rule({ scope: { tenant: 'acme' }, mode: 'approval_gated' });
        const answer = setup.call('orders.create', '{"item":"chair"}');
        const approval = await setup.cp.pendingApproval('orders.create');
        assert.deepEqual(approval.call.args, {
          method: 'POST',
          path: '/tools/orders.create',
          query: '',
          body: { json: { item: 'chair' } },
        });
        assert.equal(setup.upstream.bodies.length, 0);
        await setup.cp.api('POST', `/v1/approvals/${approval.id}/approve`, { reason: 'ok' });
        const response = await answer;
        assert.equal(response.status, 201);
        assert.deepEqual(await response.json(), { number: 1, body: '{"item":"chair"}' });
        assert.deepEqual(setup.upstream.bodies, ['{"item":"chair"}']);
      });
    });

    it('a denied approval is 403 naming the approval, and nothing is forwarded', async (context) => {
      await withGateway(kind, context, async (setup) => {
        await setup.rule({ scope: { tenant: 'acme' }, mode: 'approval_gated' });
        const answer = setup.call('orders.create', '{"item":"desk"}');
        const approval = await setup.cp.pendingApproval('orders.create');
        await setup.cp.api('POST', `/v1/approvals/${approval.id}/deny`, { reason: 'over budget' });
        const response = await answer;
        assert.equal(response.status, 403);
        const problem = (await response.json()) as any;
        assert.equal(problem.approvalId, approval.id);
        assert.match(problem.detail, /was denied by .+: over budget/);
        assert.equal(setup.upstream.bodies.length, 0);
      });
    });

    it('a client that goes away while its write waits for approval is not forwarded', async (context) => {
      await withGateway(kind, context, async (setup) => {
        await setup.rule({ scope: { tenant: 'acme' }, mode: 'approval_gated' });
        const cancel = new AbortController();
        const answer = setup.call('orders.create', '{"item":"shelf"}', {}, cancel.signal).then(
          () => 'answered',
          () => 'gone',
        );
        const approval = await setup.cp.pendingApproval('orders.create');
        cancel.abort();
        assert.equal(await answer, 'gone');
        assert.deepEqual(setup.upstream.bodies, []);
        assert.equal((await setup.cp.api('GET', `/v1/approvals/${approval.id}`)).body.status, 'pending');
      });
    });

    it('a draft_only write is answered 202 with the draft, which the API lists', async (context) => {
      await withGateway(kind, context, async (setup) => {
        await setup.rule({ scope: { tenant: 'acme' }, mode: 'draft_only' });
        const response = await setup.call('orders.create', '{"item":"lamp"}');
        assert.equal(response.status, 202);
        const drafted = (await response.json()) as any;
        assert.equal(drafted.drafted, true);
        const drafts = (await setup.cp.api('GET', '/v1/drafts?tenant=acme')).body.drafts;
        assert.deepEqual(
          drafts.map((draft: any) => draft.id),
          [drafted.draftId],
        );
        assert.equal(setup.upstream.bodies.length, 0);
      });
    });

    it('a repeated write is forwarded once; the repeat gets the stored reply, marked as replayed', async (context) => {
      await withGateway(kind, context, async (setup) => {
        const first = await setup.call('orders.create', '{"item":"rug"}');
        const second = await setup.call('orders.create', '{"item":"rug"}');
        assert.equal(first.status, 201);
        assert.equal(second.status, 201);
        assert.equal(second.headers.get('content-type'), 'application/json');
        assert.equal(second.headers.get('x-estop-replayed'), 'true');
        assert.equal(first.headers.get('x-estop-replayed'), null);
        assert.deepEqual(await second.json(), await first.json());
        const other = await setup.call('orders.create', '{"item":"vase"}');
        assert.equal(other.status, 201);
        assert.deepEqual(setup.upstream.bodies, ['{"item":"rug"}', '{"item":"vase"}']);
      });
    });

    it('an Idempotency-Key header makes two different bodies one write', async (context) => {
      await withGateway(kind, context, async (setup) => {
        const key = { 'idempotency-key': 'order-7' };
        const first = await setup.call('orders.create', '{"item":"bed","try":1}', key);
        const second = await setup.call('orders.create', '{"item":"bed","try":2}', key);
        assert.deepEqual(await second.json(), await first.json());
        assert.deepEqual(setup.upstream.bodies, ['{"item":"bed","try":1}']);
      });
    });

    it("an Idempotency-Key reused on another route forwards that write, never answering with the other's reply", async (context) => {
      await withGateway(kind, context, async (setup) => {
        const key = { 'idempotency-key': 'order-8' };
        const create = await setup.call('orders.create', '{"item":"lamp"}', key);
        const cancel = await setup.call('orders.cancel', '{"item":"lamp"}', key);
        assert.equal(cancel.headers.get('x-estop-replayed'), null);
        assert.notDeepEqual(await cancel.json(), await create.json());
        assert.deepEqual(setup.upstream.bodies, ['{"item":"lamp"}', '{"item":"lamp"}']);
      });
    });

    it('an upstream failure releases the key, so the retry is forwarded', async (context) => {
      await withGateway(kind, context, async (setup) => {
        const failed = await fetchFailing(setup);
        assert.equal(failed.status, 503);
        const retried = await fetchFailing(setup);
        assert.equal(retried.status, 201);
        assert.equal(setup.upstream.bodies.length, 1);
      });
    });
  });
}

function fetchFailing(setup: GovernedGateway): Promise<Response> {
  return setup.call('orders.create?fail=1', '{"item":"sofa"}');
}
