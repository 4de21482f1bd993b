import type { AuditEntry, AuditHead } from '@estop/core';
import { describeScope } from '@estop/core';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseIntegerOption, parseFlags } from './args.js';
import { exportAudit, verifyAuditFile } from './audit-export.js';
import type { AuditVerification } from '@estop/client';
import { connectClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { readCommand } from './read-command.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, runCommand } from './command.js';
import { formatTable, writeAnswer } from './output.js';

export const AUDIT_HELP = `usage: estop audit <command>

Reads the hash-chained audit log.

commands:
  list      list entries in chain order
  export    write every entry as JSON Lines (estop audit export > audit.jsonl)
  verify    check the hash chain end to end; with --file, check an export offline

Run \`estop audit <command> --help\` for its options.`;

export const AUDIT_LIST_HELP = `usage: estop audit list [--after SEQ] [--limit N] [--json]

Lists audit entries in chain order: sequence number, time, actor, action, scope, reason.

  --after SEQ      only entries after this sequence number
  --limit N        at most N entries
${CLIENT_OPTIONS_HELP}`;

export const AUDIT_VERIFY_HELP = `usage: estop audit verify [--json]
       estop audit verify --file audit.jsonl [--json]

Checks the audit log's hash chain. Exits 0 when it is intact, 1 naming the first broken entry.
With --file, checks an export (estop audit export) offline instead, without the control plane.

${CLIENT_OPTIONS_HELP}`;

/** What `estop audit list` was asked for. */
export interface AuditListOptions {
  after: number | undefined;
  limit: number | undefined;
  json: boolean;
  url: string | undefined;
  token: string | undefined;
}

/** Parses and checks `estop audit list` arguments; throws a UsageError saying what to fix. */
export function parseAuditListArgs(args: string[]): AuditListOptions {
  const values = parseFlags(args, { ...CLIENT_OPTIONS, after: { type: 'string' }, limit: { type: 'string' } });
  return {
    after: values.after === undefined ? undefined : parseIntegerOption('after', values.after),
    limit: values.limit === undefined ? undefined : parseIntegerOption('limit', values.limit, 1),
    json: values.json,
    url: values.url,
    token: values.token,
  };
}

/** Audit entries as readable lines, plus a pointer to the next page when the chain goes on past them. */
export function formatAuditEntries(entries: readonly AuditEntry[], head: AuditHead): string[] {
  if (entries.length === 0)
    return [head.seq === 0 ? 'the audit log is empty' : `no audit entries here (the log has ${head.seq})`];
  const lines = formatTable(
    ['SEQ', 'TIME', 'ACTOR', 'ACTION', 'SCOPE', 'REASON'],
    entries.map((entry) => [
      String(entry.seq),
      entry.at,
      entry.actor.id,
      entry.ruleId === undefined ? entry.action : `${entry.action} ${entry.ruleId}`,
      entry.scope === undefined ? '-' : describeScope(entry.scope),
      entry.reason ?? '',
    ]),
  );
  const last = entries[entries.length - 1];
  if (last !== undefined && head.seq > last.seq) {
    lines.push(`(the log goes on to seq ${head.seq}; next page: estop audit list --after ${last.seq})`);
  }
  return lines;
}

/** The readable verdict of `estop audit verify`. */
export function formatAuditVerification(result: AuditVerification): string {
  if (result.ok) {
    return `audit log intact: ${result.entries} entries, head at seq ${result.head.seq} (hash ${result.head.hash.slice(0, 16)}…)`;
  }
  return `audit log BROKEN at entry ${result.brokenAt}: ${result.problem} (${result.entries} entries checked)`;
}

async function list(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop audit list', AUDIT_LIST_HELP, args, io, async () => {
    const options = parseAuditListArgs(args);
    const client = connectClient(options, io);
    const result = await client.listAudit({ after: options.after, limit: options.limit });
    writeAnswer(io, options.json, result, () => formatAuditEntries(result.entries, result.head));
    return EXIT_OK;
  });
}

const verifyLog = readCommand({
  name: 'estop audit verify',
  help: AUDIT_VERIFY_HELP,
  read: (client) => client.verifyAudit(),
  lines: (result) => [formatAuditVerification(result)],
  exitCode: (result) => (result.ok ? EXIT_OK : EXIT_FAILURE),
});

function namesFile(args: readonly string[]): boolean {
  return args.some((arg) => arg === '--file' || arg.startsWith('--file='));
}

/** `estop audit list|export|verify`. */
export async function audit(args: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'list') return list(rest, io);
  if (subcommand === 'export') return exportAudit(rest, io);
  if (subcommand === 'verify') return namesFile(rest) ? verifyAuditFile(rest, io) : verifyLog(rest, io);
  return runCommand('estop audit', AUDIT_HELP, args, io, async () => {
    if (subcommand === undefined) throw new UsageError('which one? `estop audit list`, `export` or `verify`');
    throw new UsageError(`unknown command "${subcommand}"; use \`estop audit list\`, \`export\` or \`verify\``);
  });
}
