import { isEstopError, type ApprovalView } from '@estop/core';
import {
  CLIENT_OPTIONS,
  CLIENT_OPTIONS_HELP,
  parseFlags,
  REASON_OPTIONS,
  parseOneIdArgs,
  requireOption,
} from './args.js';
import { connectClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_FAILURE, EXIT_OK, runCommand } from './command.js';
import { formatAge, formatExpiry, formatTable, writeJson, writeLines, writeAnswer } from './output.js';

export const APPROVALS_HELP = `usage: estop approvals [--all] [--json]
       estop approvals approve APPROVAL_ID --reason TEXT [--json]
       estop approvals deny APPROVAL_ID --reason TEXT [--json]

Writes under an approval_gated rule wait for an operator. Lists the pending approvals, oldest
first, with the call each one is for; --all lists the latest 1000 of any status. Approving lets
that exact call run once; denying (or letting it expire) refuses it.

  --all            every status, not only pending
${CLIENT_OPTIONS_HELP}`;

export const APPROVALS_DECIDE_HELP = `usage: estop approvals approve APPROVAL_ID --reason TEXT [--json]
       estop approvals deny APPROVAL_ID --reason TEXT [--json]

Decides a pending approval. Approve only the exact call shown by \`estop approvals\`: the
enforcer may run it once, with those arguments.

  --reason TEXT    why; recorded in the audit log
${CLIENT_OPTIONS_HELP}`;

const ARGS_WIDTH = 60;

/** A call's arguments on one line, cut to `width` characters. */
export function formatArgs(args: unknown, width = ARGS_WIDTH): string {
  const text = JSON.stringify(args ?? null) ?? 'null';
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** Approvals as a table: what is asked, by whom, for how long; the arguments last. */
export function formatApprovals(approvals: readonly ApprovalView[], nowMs: number, all: boolean): string[] {
  if (approvals.length === 0) return [all ? 'no approvals' : 'no approvals pending'];
  const rows = approvals.map((approval) => [
    approval.id,
    approval.call.tenant,
    approval.call.agent ?? '-',
    approval.call.run ?? '-',
    approval.call.tool,
    approval.status,
    approval.requestedBy.id,
    `${formatAge(approval.at, nowMs)} ago`,
    approval.status === 'pending' ? formatExpiry(approval.expiresAt, nowMs) : (approval.decision?.actor.id ?? '-'),
    formatArgs(approval.call.args),
  ]);
  const decided = all ? 'EXPIRES/BY' : 'EXPIRES';
  return formatTable(['ID', 'TENANT', 'AGENT', 'RUN', 'TOOL', 'STATUS', 'REQUESTED BY', 'AGE', decided, 'ARGS'], rows);
}

async function decide(decision: 'approve' | 'deny', args: string[], io: CommandIo): Promise<number> {
  const name = `estop approvals ${decision}`;
  return runCommand(name, APPROVALS_DECIDE_HELP, args, io, async () => {
    const { values, id } = parseOneIdArgs(
      args,
      REASON_OPTIONS,
      `which approval? give its id, e.g. \`${name} ap_1a2b --reason "…"\` (\`estop approvals\` lists them)`,
      `${decision} takes one approval id`,
    );
    const reason = requireOption('reason', values.reason, 'why? it goes in the audit log').trim();
    const client = connectClient(values, io);
    let view: ApprovalView;
    try {
      view = await client.decideApproval(id, decision, reason);
    } catch (error) {
      if (isEstopError(error, 'conflict')) {
        io.stderr.write(`${name}: ${error.message}\nrun \`estop approvals --all\` to see how it was decided\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }
    if (values.json) writeJson(io, view);
    else {
      const call = `${view.call.tool} for ${view.call.tenant}${view.call.agent === undefined ? '' : `/${view.call.agent}`}`;
      writeLines(io, [
        decision === 'approve'
          ? `approved ${view.id} (${call}): the waiting call may run once, with these arguments`
          : `denied ${view.id} (${call}): the waiting call is refused`,
      ]);
    }
    return EXIT_OK;
  });
}

async function list(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop approvals', APPROVALS_HELP, args, io, async () => {
    const values = parseFlags(args, { ...CLIENT_OPTIONS, all: { type: 'boolean', default: false } });
    const client = connectClient(values, io);
    const result = await client.listApprovals({ all: values.all });
    writeAnswer(io, values.json, result, () => formatApprovals(result.approvals, Date.now(), values.all));
    return EXIT_OK;
  });
}

/** `estop approvals [approve|deny]`: list approvals, or decide one. */
export async function approvals(args: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'approve' || subcommand === 'deny') return decide(subcommand, rest, io);
  return list(args, io);
}
