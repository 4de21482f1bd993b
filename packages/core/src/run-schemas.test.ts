import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunEndSchema, RunHeartbeatSchema, RunKillSchema, RunStartSchema } from './run-schemas.js';

const start = {
  id: 'run_1',
  tenant: 'acme',
  enforcer: 'sdk-1',
  budgets: { maxUsd: 2, maxToolCalls: 10 },
  heartbeatMs: 5000,
  startedAt: '2026-01-01T00:00:00.000Z',
};

describe('run inputs are strict', () => {
  it('accepts a well-formed start, heartbeat and end', () => {
    assert.ok(RunStartSchema.safeParse(start).success);
    assert.ok(
      RunHeartbeatSchema.safeParse({
        status: 'stopped',
        stopReason: 'killed:r_1',
        inFlight: [{ tool: 'email.send', startedAt: '2026-01-01T00:00:01.000Z' }],
      }).success,
    );
    assert.ok(RunEndSchema.safeParse({ stopReason: 'budget_exceeded:max_usd' }).success);
  });

  it('refuses unknown fields, bad stop reasons, negative budgets and blank kill reasons', () => {
    assert.ok(!RunStartSchema.safeParse({ ...start, extra: 1 }).success);
    assert.ok(!RunStartSchema.safeParse({ ...start, budgets: { maxUsd: -1 } }).success);
    assert.ok(!RunStartSchema.safeParse({ ...start, id: 'run 1' }).success);
    assert.ok(!RunEndSchema.safeParse({ stopReason: 'budget_exceeded:max_money' }).success);
    assert.ok(!RunKillSchema.safeParse({ reason: '  ' }).success);
  });
});
