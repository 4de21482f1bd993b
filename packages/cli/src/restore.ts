import { parseArgs } from 'node:util';
import type { RuleLift } from '@estop/core';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseOrUsage, requireOption, resolveConnection } from './args.js';
import { createApiClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_OK, UsageError, runCommand } from './command.js';
import { writeJson, writeLines } from './output.js';

export const RESTORE_HELP = `usage: estop restore RULE_ID --reason TEXT

Lifts a rule, giving back the authority it took away. Needs an admin token.
Find rule ids with \`estop status\`.

  --reason TEXT    why it is safe to restore; recorded in the audit log
${CLIENT_OPTIONS_HELP}

example:
  estop restore r_8f2c --reason "fixed the dedupe bug"`;

/** What `estop restore` was asked to do, after its arguments were checked. */
export interface RestoreOptions {
  ruleId: string;
  reason: string;
  json: boolean;
  url: string | undefined;
  token: string | undefined;
}

/** Parses and checks `estop restore` arguments; throws a UsageError saying what to fix. */
export function parseRestoreArgs(args: string[]): RestoreOptions {
  const { values, positionals } = parseOrUsage(() =>
    parseArgs({
      args,
      options: { ...CLIENT_OPTIONS, reason: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    }),
  );
  const [ruleId, ...extra] = positionals;
  if (ruleId === undefined || ruleId.trim() === '') {
    throw new UsageError(
      'which rule? give its id, e.g. `estop restore r_8f2c --reason ...` (`estop status` lists them)',
    );
  }
  if (extra.length > 0) throw new UsageError(`restore takes one rule id; unexpected "${extra.join(' ')}"`);
  const reason = requireOption('reason', values.reason, 'why is it safe to restore? it goes in the audit log').trim();
  return { ruleId: ruleId.trim(), reason, json: values.json, url: values.url, token: values.token };
}

/** The line `estop restore` prints, e.g. `restored: lifted rule r_1 (by alice, version 8)`. */
export function describeLift(lift: RuleLift, version: number): string {
  return `restored: lifted rule ${lift.ruleId} (by ${lift.actor.id}, version ${version})`;
}

/** `estop restore RULE_ID`: lifts a rule. */
export async function restore(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop restore', RESTORE_HELP, args, io, async () => {
    const options = parseRestoreArgs(args);
    const client = createApiClient(resolveConnection(options, io));
    const result = await client.liftRule(options.ruleId, options.reason);
    if (options.json) writeJson(io, result);
    else writeLines(io, [describeLift(result.lift, result.version)]);
    return EXIT_OK;
  });
}
