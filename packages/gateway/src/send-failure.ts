import type { ServerResponse } from 'node:http';
import { EstopError } from '@estop/core';
import { CallDeniedError } from '@estop/sdk';
import { describeRefusal } from './describe-refusal.js';
import { ForwardFailure } from './forward-buffered.js';
import type { RuleBook } from './rule-book.js';
import { sendProblem } from './send-problem.js';
import { sendReply } from './upstream-reply.js';

function asEstopError(error: unknown): EstopError {
  return error instanceof EstopError
    ? error
    : new EstopError({ code: 'internal', message: 'internal error', cause: error });
}

/** Answers for a governed call that did not end in a reply: refused, failed, or not run. */
export function sendFailure(response: ServerResponse, name: string, error: unknown, rules: RuleBook): void {
  if (error instanceof ForwardFailure) {
    if (error.reply !== undefined) sendReply(response, error.reply, false);
    else sendProblem(response, error.error, { status: error.status, fields: error.fields });
    return;
  }
  if (error instanceof CallDeniedError) {
    const refusal = describeRefusal(name, error.decision, rules);
    sendProblem(response, refusal.error, {
      fields: error.approval === undefined ? refusal.fields : { ...refusal.fields, approvalId: error.approval.id },
    });
    return;
  }
  const estop = asEstopError(error);
  const status = estop.details?.['status'];
  sendProblem(response, estop, { status: typeof status === 'number' && status >= 400 ? status : undefined });
}
