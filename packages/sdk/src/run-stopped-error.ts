import { EstopError, explainDecision, type ApprovalView, type Decision, type StopReason } from '@estop/core';

/**
 * Thrown by `run.check()`, `run.step()` and `run.tool()` once the run has stopped, and used as
 * the abort reason of `run.signal`. `stopReason` says why (`killed:<ruleId>`, `timeout`,
 * `budget_exceeded:<budget>`, `ended`).
 */
export class RunStoppedError extends EstopError {
  readonly runId: string;
  readonly stopReason: StopReason;

  constructor(runId: string, stopReason: StopReason) {
    super({
      code: 'forbidden',
      message: `run ${runId} has stopped: ${stopReason}`,
      details: { runId, stopReason },
    });
    this.name = 'RunStoppedError';
    this.runId = runId;
    this.stopReason = stopReason;
  }
}

/**
 * Thrown by `run.tool()` and `guard.execute()` when the guard refuses the call, or an
 * operator's approval did not come (its function is not called), and used as the abort reason
 * of a running call that a rule with `cancelInFlight` cancels. `approval` is the approval the
 * call waited for, when it was refused for that (denied, expired, voided or unusable).
 */
export class CallDeniedError extends EstopError {
  readonly tool: string;
  readonly decision: Decision;
  readonly approval: ApprovalView | undefined;
  /** Why, in core's one wording (`explainDecision`): "this scope is read_only (rule r_1): incident 9". */
  readonly explanation: string;

  constructor(tool: string, decision: Decision, approval?: ApprovalView) {
    const explanation = explainDecision(decision);
    super({
      code: 'forbidden',
      message: `${tool}: ${decision.outcome} (${decision.mode ?? 'no mode'})${decision.reason === undefined ? '' : `: ${decision.reason}`}`,
      details: {
        tool,
        outcome: decision.outcome,
        mode: decision.mode,
        ruleId: decision.ruleId,
        approvalId: approval?.id,
        explanation,
      },
    });
    this.name = 'CallDeniedError';
    this.explanation = explanation;
    this.tool = tool;
    this.decision = decision;
    this.approval = approval;
  }
}
