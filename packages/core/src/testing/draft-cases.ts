import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { EMPTY_HEAD, chainEntries, verifyChain } from '../audit.js';
import type { Draft } from '../draft.js';
import { AGENT, DRAFT_RECORDED, makeCallDraft } from './governance-fixtures.js';
import { sha256Hex } from './sha256-hex.js';
import { minutesIn } from './store-fixtures.js';
import { estopErrorWith, footprint, type StoreTest } from './store-test.js';

/** Cases for drafts: stored with their audit entry, listed newest first, filtered and paged. */
export function describeDrafts(test: StoreTest): void {
  describe('a draft is stored with its audit entry', () => {
    test('create returns the chained entry; get returns the draft as stored', async (store) => {
      const draft = makeCallDraft('d1', 1);
      // No agent, run, rule or enforcer: absent fields must stay absent, not come back as null.
      const bare: Draft = {
        id: 'd2',
        tenant: 'globex',
        tool: 'crm.update',
        args: 'text',
        actor: AGENT,
        at: minutesIn(2),
      };
      const entry = await store.drafts.create(draft, DRAFT_RECORDED);
      assert.deepEqual(entry, chainEntries(EMPTY_HEAD, [DRAFT_RECORDED], sha256Hex)[0]);
      await store.drafts.create(bare, DRAFT_RECORDED);
      assert.deepEqual(await store.drafts.get('d1'), draft);
      assert.deepEqual(await store.drafts.get('d2'), bare);
      assert.equal(await store.drafts.get('missing'), undefined);
      const audit = await store.audit.list();
      assert.equal(audit.length, 2);
      assert.equal(verifyChain(audit, sha256Hex).ok, true);
    });

    test('a draft with an existing id throws conflict and writes nothing', async (store) => {
      await store.drafts.create(makeCallDraft('d1', 1), DRAFT_RECORDED);
      const before = await footprint(store);
      await assert.rejects(store.drafts.create(makeCallDraft('d1', 5), DRAFT_RECORDED), estopErrorWith('conflict'));
      assert.deepEqual(await footprint(store), before);
      assert.deepEqual(await store.drafts.list(), [makeCallDraft('d1', 1)]);
    });
  });

  describe('drafts are listed newest first, by tenant, before a time, up to a limit', () => {
    test('tenant, before and limit filter, alone and together', async (store) => {
      const tenants = ['acme', 'globex', 'acme', 'acme', 'globex', 'acme'];
      for (const [index, tenant] of tenants.entries()) {
        await store.drafts.create(makeCallDraft(`d${index + 1}`, index + 1, { tenant }), DRAFT_RECORDED);
      }
      const ids = async (query?: Parameters<typeof store.drafts.list>[0]) =>
        (await store.drafts.list(query)).map((draft) => draft.id);
      assert.deepEqual(await ids(), ['d6', 'd5', 'd4', 'd3', 'd2', 'd1']);
      assert.deepEqual(await ids({ tenant: 'acme' }), ['d6', 'd4', 'd3', 'd1']);
      assert.deepEqual(await ids({ before: minutesIn(4) }), ['d3', 'd2', 'd1']);
      assert.deepEqual(await ids({ limit: 2 }), ['d6', 'd5']);
      assert.deepEqual(await ids({ tenant: 'acme', before: minutesIn(6), limit: 2 }), ['d4', 'd3']);
      assert.deepEqual(await ids({ tenant: 'globex', before: minutesIn(2) }), []);
      assert.deepEqual(await ids({ limit: 0 }), []);
      // Paging: each page continues before the oldest draft of the last one.
      const pages: string[][] = [];
      let before: string | undefined;
      for (;;) {
        const page = await store.drafts.list({ tenant: 'acme', limit: 3, ...(before === undefined ? {} : { before }) });
        if (page.length === 0) break;
        pages.push(page.map((draft) => draft.id));
        before = page.at(-1)?.at;
      }
      assert.deepEqual(pages, [['d6', 'd4', 'd3'], ['d1']]);
    });
  });
}
