import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockReportSchema, EstopError, type BlockReport, type Decision } from '@estop/core';
import { BlockCounter } from './block-counter.js';

const readOnly: Decision = { outcome: 'deny', mode: 'read_only', ruleId: 'r_1', reason: 'incident', source: 'rule' };
const stale: Decision = { outcome: 'deny', mode: 'read_only', reason: 'stale', source: 'stale' };

function counter(send: (report: BlockReport) => Promise<void>): BlockCounter {
  let now = Date.parse('2026-11-22T08:00:00.000Z');
  return new BlockCounter({ intervalMs: 3_600_000, clock: { now: () => (now += 1_000) }, send, onError: () => {} });
}

describe('refused calls are counted per rule, tool, tenant, mode and source, and no count is lost', () => {
  it('sends one count per key, in the shape the control plane accepts', async () => {
    const reports: BlockReport[] = [];
    const blocks = counter(async (report) => void reports.push(report));
    for (let index = 0; index < 3; index++) blocks.count({ tenant: 'acme', tool: 'email.send' }, readOnly, 'write');
    blocks.count({ tenant: 'globex', tool: 'email.send' }, readOnly, 'write');
    blocks.count({ tenant: 'acme', tool: 'email.send' }, stale, 'write');
    await blocks.close();
    assert.equal(reports.length, 1);
    const report = BlockReportSchema.parse(reports[0]);
    assert.deepEqual(
      report.counts.map((count) => [count.tenant, count.ruleId, count.source, count.count]),
      [
        ['acme', 'r_1', 'rule', 3],
        ['globex', 'r_1', 'rule', 1],
        ['acme', undefined, 'stale', 1],
      ],
    );
    assert.ok(report.from < report.to);
  });

  it('keeps the counts of a report that failed and sends them, merged, with the next', async () => {
    const reports: BlockReport[] = [];
    let failing = true;
    const blocks = counter(async (report) => {
      if (failing) throw new Error('control plane down');
      reports.push(report);
    });
    blocks.count({ tenant: 'acme', tool: 'email.send' }, readOnly, 'write');
    await blocks.flush();
    assert.equal(reports.length, 0);
    failing = false;
    blocks.count({ tenant: 'acme', tool: 'email.send' }, readOnly, 'write');
    await blocks.close();
    assert.equal(reports.length, 1);
    assert.deepEqual(
      reports[0]?.counts.map((count) => count.count),
      [2],
    );
  });

  it('drops the counts of a report the control plane refused, so they never hold back later counts', async () => {
    const reports: BlockReport[] = [];
    const errors: string[] = [];
    let now = Date.parse('2026-11-22T08:00:00.000Z');
    const blocks = new BlockCounter({
      intervalMs: 3_600_000,
      clock: { now: () => (now += 1_000) },
      send: async (report) => {
        if (report.counts.some((count) => count.tenant === 'globex')) {
          throw new EstopError({ code: 'forbidden', message: 'bound to tenant acme' });
        }
        reports.push(report);
      },
      onError: (error) => errors.push(error.code),
    });
    blocks.count({ tenant: 'globex', tool: 'email.send' }, readOnly, 'write');
    await blocks.flush();
    blocks.count({ tenant: 'acme', tool: 'email.send' }, readOnly, 'write');
    await blocks.close();
    assert.deepEqual(errors, ['forbidden']);
    assert.deepEqual(
      reports.map((report) => report.counts.map((count) => [count.tenant, count.count])),
      [[['acme', 1]]],
    );
  });

  it('a call named with a lone surrogate or NUL is counted as U+FFFD, in a report the control plane accepts', async () => {
    const reports: BlockReport[] = [];
    const blocks = counter(async (report) => void reports.push(report));
    blocks.count({ tenant: 'acme', tool: 'email.send\ud800' }, readOnly, 'write');
    blocks.count({ tenant: 'acme\u0000', tool: 'email.send' }, readOnly, 'write');
    await blocks.close();
    const report = BlockReportSchema.parse(reports[0]);
    assert.deepEqual(
      report.counts.map((count) => [count.tenant, count.tool]),
      [
        ['acme', 'email.send\uFFFD'],
        ['acme\uFFFD', 'email.send'],
      ],
    );
  });

  it('sends nothing when nothing was refused', async () => {
    let sent = 0;
    const blocks = counter(async () => void sent++);
    await blocks.close();
    assert.equal(sent, 0);
  });
});
