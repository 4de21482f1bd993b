import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseDurationOption, parseFlags } from './args.js';
import type { Enforcement } from '@estop/core';
import { fullyEnforced, waitForEnforcement } from '@estop/client';
import { connectClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_FAILURE, EXIT_OK, runCommand } from './command.js';
import { describeEnforcement, writeAnswer } from './output.js';

export const VERIFY_HELP = `usage: estop verify [--timeout 5s] [--json]

Checks that every connected enforcer has applied the current state version, waiting up to
--timeout for stragglers. Exits 0 when all have (or none is connected, with a warning),
1 naming those that have not.

  --timeout DURATION  how long to wait for enforcers to catch up, with its unit (default 5s;
                      at most 1d)
${CLIENT_OPTIONS_HELP}`;

/** What `estop verify` was asked to do. */
export interface VerifyOptions {
  timeoutMs: number;
  json: boolean;
  url: string | undefined;
  token: string | undefined;
}

/** Parses and checks `estop verify` arguments; throws a UsageError saying what to fix. */
export function parseVerifyArgs(args: string[]): VerifyOptions {
  const values = parseFlags(args, { ...CLIENT_OPTIONS, timeout: { type: 'string' } });
  const timeoutMs = parseDurationOption('timeout', values.timeout ?? '5s');
  return { timeoutMs, json: values.json, url: values.url, token: values.token };
}

/** The verdict of `estop verify`: ok when no connected enforcer is behind. */
export function verifyVerdict(enforcement: Enforcement): { ok: boolean; lines: string[]; warning?: string } {
  const line = `version ${enforcement.version}: ${describeEnforcement(enforcement)}`;
  if (enforcement.total === 0) {
    return {
      ok: true,
      lines: [`${line}; nothing to be out of date`],
      warning: 'warning: no enforcers are connected, so no agent is guarded by estop right now',
    };
  }
  if (fullyEnforced(enforcement)) return { ok: true, lines: [line] };
  const behind = Math.max(enforcement.total - enforcement.acknowledged, enforcement.pending.length);
  return {
    ok: false,
    lines: [
      line,
      `not verified: ${behind} of ${enforcement.total} connected enforcers have not applied version ${enforcement.version}`,
    ],
  };
}

/** `estop verify`: exits 0 only when every connected enforcer has applied the current version. */
export async function verify(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop verify', VERIFY_HELP, args, io, async () => {
    const options = parseVerifyArgs(args);
    const client = connectClient(options, io);
    const { version } = await client.listRules();
    const enforcement = await waitForEnforcement(client, version, options.timeoutMs);
    const verdict = verifyVerdict(enforcement);
    writeAnswer(io, options.json, { ok: verdict.ok, ...enforcement }, () => verdict.lines);
    if (verdict.warning !== undefined) io.stderr.write(`${verdict.warning}\n`);
    return verdict.ok ? EXIT_OK : EXIT_FAILURE;
  });
}
