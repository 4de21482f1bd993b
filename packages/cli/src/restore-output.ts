import { describeScope, type RestoreRequest, type Rule, type RuleLift } from '@estop/core';
import { formatTable } from './output.js';

/** The line `estop restore` prints, e.g. `restored: lifted rule r_1 (by alice, version 8)`. */
export function describeLift(lift: RuleLift, version: number, replacement?: Rule): string {
  if (replacement !== undefined) {
    return `restored: lifted rule ${lift.ruleId}, replaced by ${replacement.mode} rule ${replacement.id} (by ${lift.actor.id}, version ${version})`;
  }
  return `restored: lifted rule ${lift.ruleId} (by ${lift.actor.id}, version ${version})`;
}

/** What `estop restore RULE_ID` prints when the rule needs a second admin. */
export function describeRequestCreated(request: RestoreRequest): string {
  return `restore request ${request.id} created: a second admin must confirm with \`estop restore confirm ${request.id} --reason …\``;
}

/** Pending restore requests as a table, or a line saying there are none. */
export function formatRestoreRequests(requests: readonly RestoreRequest[]): string[] {
  if (requests.length === 0) return ['no pending restore requests'];
  return formatTable(
    ['REQUEST', 'RULE', 'SCOPE', 'MODE', 'TO', 'BY', 'AT', 'REASON'],
    requests.map((request) => [
      request.id,
      request.ruleId,
      describeScope(request.scope),
      request.mode,
      request.to ?? 'lifted',
      request.requestedBy.id,
      request.at,
      request.reason,
    ]),
  );
}
