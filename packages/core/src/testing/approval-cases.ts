import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { approvalHash, approvalStatus } from '../approval.js';
import { EMPTY_HEAD, chainEntries, verifyChain } from '../audit.js';
import {
  AGENT,
  APPROVAL_APPROVED,
  APPROVAL_REQUESTED,
  makeApprovalRequest,
  makeCall,
  makeDecision,
} from './governance-fixtures.js';
import { sha256Hex } from './sha256-hex.js';
import { makeDraft, minutesIn } from './store-fixtures.js';
import { estopErrorWith, footprint, type StoreTest } from './store-test.js';

const denied = makeDecision({ outcome: 'denied', reason: 'wrong recipient' });

/** Cases for approvals: stored with their audit entry, listed, decided once, used once. */
export function describeApprovals(test: StoreTest): void {
  describe('an approval request is stored with its audit entry', () => {
    test('create returns the chained entry; get and list return the request as stored', async (store) => {
      const first = makeApprovalRequest('ap1');
      // No agent, run, rule or enforcer: absent fields must stay absent, not come back as null.
      const call = { tenant: 'globex', tool: 'crm.update', args: [1, 'two', { three: [3] }] };
      const second = {
        id: 'ap2',
        hash: approvalHash(sha256Hex, call),
        call,
        requestedBy: AGENT,
        at: minutesIn(2),
        expiresAt: minutesIn(7),
      };
      const entry = await store.approvals.create(first, APPROVAL_REQUESTED);
      assert.deepEqual(entry, chainEntries(EMPTY_HEAD, [APPROVAL_REQUESTED], sha256Hex)[0]);
      await store.approvals.create(second, APPROVAL_REQUESTED);
      assert.deepEqual(await store.approvals.get('ap1'), { request: first });
      const found = await store.approvals.get('ap2');
      assert.deepEqual(found, { request: second });
      assert.equal(await store.approvals.get('missing'), undefined);
      assert.deepEqual(
        (await store.approvals.list()).map((record) => record.request.id),
        ['ap1', 'ap2'],
      );
      assert.equal((await store.audit.list()).length, 2);
    });

    test('a request with an existing id throws conflict and writes nothing', async (store) => {
      await store.approvals.create(makeApprovalRequest('ap1'), APPROVAL_REQUESTED);
      const before = await footprint(store);
      await assert.rejects(
        store.approvals.create(makeApprovalRequest('ap1', { at: minutesIn(9) }), APPROVAL_REQUESTED),
        estopErrorWith('conflict'),
      );
      assert.deepEqual(await footprint(store), before);
      assert.deepEqual(await store.approvals.list(), [{ request: makeApprovalRequest('ap1') }]);
    });
  });

  describe('approvals are listed oldest first, filtered, newest kept under a limit', () => {
    test('pending, tenant and limit filter, alone and together', async (store) => {
      for (const [id, tenant] of [
        ['ap1', 'acme'],
        ['ap2', 'globex'],
        ['ap3', 'acme'],
        ['ap4', 'acme'],
        ['ap5', 'globex'],
      ] as const) {
        await store.approvals.create(makeApprovalRequest(id, { call: makeCall(tenant) }), APPROVAL_REQUESTED);
      }
      await store.approvals.decide('ap3', makeDecision(), APPROVAL_APPROVED);
      await store.approvals.decide('ap5', denied, APPROVAL_APPROVED);
      const ids = async (query?: Parameters<typeof store.approvals.list>[0]) =>
        (await store.approvals.list(query)).map((record) => record.request.id);
      assert.deepEqual(await ids(), ['ap1', 'ap2', 'ap3', 'ap4', 'ap5']);
      assert.deepEqual(await ids({ pending: true }), ['ap1', 'ap2', 'ap4']);
      assert.deepEqual(await ids({ pending: false }), ['ap1', 'ap2', 'ap3', 'ap4', 'ap5']);
      assert.deepEqual(await ids({ tenant: 'acme' }), ['ap1', 'ap3', 'ap4']);
      assert.deepEqual(await ids({ tenant: 'acme', pending: true }), ['ap1', 'ap4']);
      assert.deepEqual(await ids({ limit: 2 }), ['ap4', 'ap5']);
      assert.deepEqual(await ids({ pending: true, limit: 2 }), ['ap2', 'ap4']);
      assert.deepEqual(await ids({ tenant: 'globex', limit: 1 }), ['ap5']);
      assert.deepEqual(await ids({ limit: 0 }), []);
      assert.deepEqual(await ids({ tenant: 'initech' }), []);
    });
  });

  describe('a decision is recorded once, with its audit entry', () => {
    test('the first decide wins; later ones and unknown ids return false and write nothing', async (store) => {
      await store.approvals.create(makeApprovalRequest('ap1'), APPROVAL_REQUESTED);
      assert.equal(await store.approvals.decide('ap1', makeDecision(), APPROVAL_APPROVED), true);
      const before = await footprint(store);
      assert.equal(await store.approvals.decide('ap1', denied, makeDraft({ action: 'approval-denied' })), false);
      assert.equal(await store.approvals.decide('missing', makeDecision(), APPROVAL_APPROVED), false);
      assert.deepEqual(await footprint(store), before);
      const record = await store.approvals.get('ap1');
      assert.deepEqual(record, { request: makeApprovalRequest('ap1'), decision: makeDecision() });
      assert.equal(record && approvalStatus(record), 'approved');
      const audit = await store.audit.list();
      assert.deepEqual(
        audit.map((entry) => entry.action),
        ['approval-requested', 'approval-approved'],
      );
      assert.deepEqual(verifyChain(audit, sha256Hex), { ok: true, entries: 2, head: await store.audit.head() });
    });

    test('10 decisions racing on one request: exactly one is recorded and audited', async (store) => {
      await store.approvals.create(makeApprovalRequest('ap1'), APPROVAL_REQUESTED);
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          store.approvals.decide(
            'ap1',
            makeDecision({ reason: `decision ${n}` }),
            makeDraft({ action: 'approval-approved', reason: `decision ${n}` }),
          ),
        ),
      );
      assert.equal(outcomes.filter(Boolean).length, 1);
      const winner = outcomes.indexOf(true);
      assert.equal((await store.approvals.get('ap1'))?.decision?.reason, `decision ${winner}`);
      const audit = await store.audit.list();
      assert.deepEqual(
        audit.map((entry) => entry.reason),
        [undefined, `decision ${winner}`],
      );
      assert.equal(verifyChain(audit, sha256Hex).ok, true);
    });
  });

  describe('an approval is used once, only for the approved call', () => {
    test('consume needs an approved, unused request with the same hash', async (store) => {
      const request = makeApprovalRequest('ap1');
      await store.approvals.create(request, APPROVAL_REQUESTED);
      await store.approvals.create(makeApprovalRequest('ap2'), APPROVAL_REQUESTED);
      assert.equal(await store.approvals.consume('ap1', request.hash, minutesIn(4)), false, 'pending');
      await store.approvals.decide('ap1', makeDecision(), APPROVAL_APPROVED);
      await store.approvals.decide('ap2', denied, APPROVAL_APPROVED);
      assert.equal(await store.approvals.consume('ap2', request.hash, minutesIn(4)), false, 'denied');
      assert.equal(await store.approvals.consume('missing', request.hash, minutesIn(4)), false, 'missing');
      const other = makeApprovalRequest('x', { call: { ...makeCall(), args: { to: ['all@example.com'] } } }).hash;
      assert.equal(await store.approvals.consume('ap1', other, minutesIn(4)), false, 'another call');
      assert.deepEqual(await store.approvals.get('ap1'), { request, decision: makeDecision() });
      const before = await footprint(store);
      assert.equal(await store.approvals.consume('ap1', request.hash, minutesIn(4)), true);
      assert.equal(await store.approvals.consume('ap1', request.hash, minutesIn(5)), false, 'used');
      const record = await store.approvals.get('ap1');
      assert.deepEqual(record, { request, decision: makeDecision(), usedAt: minutesIn(4) });
      assert.equal(record && approvalStatus(record), 'used');
      assert.deepEqual((await store.approvals.list({ pending: false })).at(0), record);
      // Using an approval is not an audited change of its own: the call it allows is.
      assert.deepEqual(await footprint(store), before);
    });

    test('a newer rule voids an approved call that has not run, never a used one', async (store) => {
      const voided = makeDecision({ outcome: 'voided', reason: 'rule r_9 (read_only) covers the call' });
      const voiding = makeDraft({ action: 'approval-voided' });
      const request = makeApprovalRequest('ap1');
      await store.approvals.create(request, APPROVAL_REQUESTED);
      await store.approvals.create(makeApprovalRequest('ap2'), APPROVAL_REQUESTED);
      await store.approvals.create(makeApprovalRequest('ap3'), APPROVAL_REQUESTED);
      await store.approvals.decide('ap1', makeDecision(), APPROVAL_APPROVED);
      await store.approvals.decide('ap2', makeDecision(), APPROVAL_APPROVED);
      await store.approvals.decide('ap3', denied, APPROVAL_APPROVED);
      assert.equal(await store.approvals.consume('ap2', makeApprovalRequest('ap2').hash, minutesIn(4)), true);
      const before = await footprint(store);
      assert.equal(await store.approvals.decide('ap2', voided, voiding), false, 'used');
      assert.equal(await store.approvals.decide('ap3', voided, voiding), false, 'denied');
      assert.equal(await store.approvals.decide('ap1', denied, APPROVAL_APPROVED), false, 'only voiding');
      assert.deepEqual(await footprint(store), before);
      assert.equal(await store.approvals.decide('ap1', voided, voiding), true);
      const record = await store.approvals.get('ap1');
      assert.equal(record && approvalStatus(record), 'voided');
      assert.equal(await store.approvals.consume('ap1', request.hash, minutesIn(4)), false, 'void');
      assert.equal(verifyChain(await store.audit.list(), sha256Hex).ok, true);
    });

    test('20 consumes racing for one approval: exactly one gets true', async (store) => {
      const request = makeApprovalRequest('ap1');
      await store.approvals.create(request, APPROVAL_REQUESTED);
      await store.approvals.decide('ap1', makeDecision(), APPROVAL_APPROVED);
      const used = await Promise.all(
        Array.from({ length: 20 }, (_, n) => store.approvals.consume('ap1', request.hash, minutesIn(4 + n))),
      );
      assert.equal(used.filter(Boolean).length, 1);
      assert.equal((await store.approvals.get('ap1'))?.usedAt, minutesIn(4 + used.indexOf(true)));
    });
  });
}
