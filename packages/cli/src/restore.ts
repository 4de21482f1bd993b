import { parseArgs } from 'node:util';
import { parseMode, type Mode } from '@estop/core';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseOrUsage, requireOption } from './args.js';
import { connectClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_OK, UsageError, runCommand } from './command.js';
import { writeJson, writeLines, writeAnswer } from './output.js';
import { describeLift, describeRequestCreated, formatRestoreRequests } from './restore-output.js';

export { describeLift } from './restore-output.js';

export const RESTORE_HELP = `usage: estop restore                                   list pending restore requests
       estop restore RULE_ID --reason TEXT [--to MODE] [--force]
                                                      lift a rule, or step it down to MODE
       estop restore confirm REQUEST_ID --reason TEXT [--force]
                                                      confirm another admin's request

Gives back the authority a rule took away. Needs an admin token. Find rule ids with
\`estop status\`. Global rules and full stops (by default) are not lifted at once: a restore
request is created, and a different admin must confirm it.

  --reason TEXT    why it is safe to restore; recorded in the audit log
  --to MODE        staged restore: replace the rule by a less restrictive one on the same
                   scope (e.g. full_stop → read_only), in one step with no unprotected instant
  --force          lift a sentinel's trip although its cause continues (its window still
                   holds the threshold; refused otherwise); audited as forced
${CLIENT_OPTIONS_HELP}

examples:
  estop restore r_8f2c --reason "fixed the dedupe bug"
  estop restore r_8f2c --to read_only --reason "reads are safe again"
  estop restore confirm rq_51ab --reason "checked the fix"`;

/** What `estop restore` was asked to do, after its arguments were checked. */
export type RestoreOptions = {
  json: boolean;
  url: string | undefined;
  token: string | undefined;
} & (
  | { action: 'list' }
  | { action: 'lift'; ruleId: string; reason: string; to?: Mode | undefined; force?: true }
  | { action: 'confirm'; requestId: string; reason: string; force?: true }
);

/** Parses and checks `estop restore` arguments; throws a UsageError saying what to fix. */
export function parseRestoreArgs(args: string[]): RestoreOptions {
  const { values, positionals } = parseOrUsage(() =>
    parseArgs({
      args,
      options: {
        ...CLIENT_OPTIONS,
        reason: { type: 'string' },
        to: { type: 'string' },
        force: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  const connection = { json: values.json, url: values.url, token: values.token };
  const reason = (hint: string) => requireOption('reason', values.reason, hint).trim();
  const force = values.force ? { force: true as const } : {};
  if (positionals.length === 0 && values.reason === undefined && values.to === undefined) {
    return { ...connection, action: 'list' };
  }
  const [first, ...rest] = positionals;
  if (first === 'confirm') {
    const [requestId, ...extra] = rest;
    if (requestId === undefined || requestId.trim() === '') {
      throw new UsageError(
        'which request? e.g. `estop restore confirm rq_51ab --reason ...` (`estop restore` lists them)',
      );
    }
    if (extra.length > 0) throw new UsageError(`confirm takes one request id; unexpected "${extra.join(' ')}"`);
    if (values.to !== undefined) throw new UsageError('--to belongs to the request, not its confirmation');
    return {
      ...connection,
      action: 'confirm',
      requestId: requestId.trim(),
      reason: reason('why do you confirm it? it goes in the audit log'),
      ...force,
    };
  }
  if (first === undefined || first.trim() === '') {
    throw new UsageError(
      'which rule? give its id, e.g. `estop restore r_8f2c --reason ...` (`estop status` lists them)',
    );
  }
  if (rest.length > 0) throw new UsageError(`restore takes one rule id; unexpected "${rest.join(' ')}"`);
  let to: Mode | undefined;
  if (values.to !== undefined) {
    to = parseMode(values.to);
    if (to === undefined) throw new UsageError(`--to "${values.to}" is not a mode; use e.g. read_only`);
  }
  const liftReason = reason('why is it safe to restore? it goes in the audit log');
  return { ...connection, action: 'lift', ruleId: first.trim(), reason: liftReason, to, ...force };
}

/** `estop restore`: lists pending restore requests, lifts or steps down a rule, or confirms a request. */
export async function restore(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop restore', RESTORE_HELP, args, io, async () => {
    const options = parseRestoreArgs(args);
    const client = connectClient(options, io);
    if (options.action === 'list') {
      const { requests } = await client.listRestoreRequests();
      writeAnswer(io, options.json, { requests }, () => formatRestoreRequests(requests));
      return EXIT_OK;
    }
    if (options.action === 'confirm') {
      const result = await client.confirmRestoreRequest(options.requestId, options.reason, options.force);
      if (options.json) writeJson(io, result);
      else
        writeLines(io, [
          `confirmed restore request ${result.request.id}`,
          describeLift(result.lift, result.version, result.replacement),
        ]);
      return EXIT_OK;
    }
    const result = await client.liftRule(options.ruleId, options.reason, options.to, options.force);
    if (options.json) writeJson(io, result);
    else if ('request' in result) writeLines(io, [describeRequestCreated(result.request)]);
    else writeLines(io, [describeLift(result.lift, result.version, result.replacement)]);
    return EXIT_OK;
  });
}
