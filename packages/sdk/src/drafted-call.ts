import { explainDecision, type Decision, type Draft } from '@estop/core';

/**
 * What a governed write resolves with under `draft_only`: it was recorded as a draft for
 * review and not executed. Give `message` to the model as the tool's output.
 */
export interface DraftedCall {
  readonly drafted: true;
  /** The draft's id, as `GET /v1/drafts` lists it. */
  readonly draftId: string;
  readonly tool: string;
  /** Plain words for a model: not executed, recorded as a draft, why, and not to retry. */
  readonly message: string;
}

/**
 * True when a result of `guard.execute` or `run.tool` is a draft rather than the tool's own
 * result.
 *
 * @example
 * const result = await run.tool('email.send', message, send, { effect: 'write' });
 * if (isDrafted(result)) console.log(`recorded as ${result.draftId}, not sent`);
 */
export function isDrafted(value: unknown): value is DraftedCall {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<DraftedCall>;
  return candidate.drafted === true && typeof candidate.draftId === 'string' && typeof candidate.message === 'string';
}

/** The result for a call recorded as `draft`. */
export function draftedCall(tool: string, draft: Draft, decision: Decision): DraftedCall {
  return {
    drafted: true,
    draftId: draft.id,
    tool,
    message:
      `${tool} was not executed: ${explainDecision(decision)}. ` +
      `It was recorded as draft ${draft.id} for a person to review; do not retry it, tell the user it awaits review.`,
  };
}
