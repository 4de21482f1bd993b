import type { Rule, SentinelSpec } from '@estop/core';
import { isEstopError } from '@estop/core';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseFlags } from './args.js';
import type { EnforcerStatus } from '@estop/client';
import { connectClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_OK, runCommand } from './command.js';
import { formatAge, formatDuration, formatTable, writeAnswer } from './output.js';
import { formatRuleTable } from './rule-table.js';

export const STATUS_HELP = `usage: estop status [--json]

Shows the state version, the active rules, the enforcers with the version each has applied, and
the sentinels that may trip on their own.

${CLIENT_OPTIONS_HELP}`;

/** Everything `estop status` shows. */
export interface StatusReport {
  version: number;
  rules: Rule[];
  enforcers: EnforcerStatus[];
  sentinels: SentinelSpec[];
}

/** Parses `estop status` arguments; throws a UsageError saying what to fix. */
export function parseStatusArgs(args: string[]): { json: boolean; url: string | undefined; token: string | undefined } {
  const values = parseFlags(args, CLIENT_OPTIONS);
  return { json: values.json, url: values.url, token: values.token };
}

/** Where an enforcer stands: `current`, `behind`, or `disconnected`. */
export function enforcerState(enforcer: EnforcerStatus): string {
  if (!enforcer.connected) return 'disconnected';
  return enforcer.current ? 'current' : 'behind';
}

/** The human-readable status report, ages and expiries relative to `nowMs`. */
export function formatStatus(report: StatusReport, nowMs: number): string[] {
  const lines = [`version ${report.version}`, ''];
  if (report.rules.length === 0) {
    lines.push('no active rules: every agent has its full authority');
  } else {
    lines.push(`active rules (${report.rules.length}):`);
    lines.push(...formatRuleTable(report.rules, nowMs));
  }
  lines.push('');
  if (report.enforcers.length === 0) {
    lines.push('no enforcers registered: nothing is enforcing rules');
  } else {
    const connected = report.enforcers.filter((enforcer) => enforcer.connected);
    const current = connected.filter((enforcer) => enforcer.current);
    lines.push(`enforcers (${connected.length} connected, ${current.length} current at version ${report.version}):`);
    lines.push(
      ...formatTable(
        ['NAME', 'ID', 'KIND', 'HOST', 'VERSION', 'IN-FLIGHT', 'LAST SEEN', 'STATE'],
        report.enforcers.map((enforcer) => [
          enforcer.name,
          enforcer.id,
          enforcer.kind,
          enforcer.host ?? '-',
          String(enforcer.version),
          String(enforcer.inFlight),
          `${formatAge(enforcer.lastSeenAt, nowMs)} ago`,
          enforcerState(enforcer),
        ]),
        '  ',
      ),
    );
  }
  if (report.sentinels.length > 0) {
    lines.push('', `sentinels (${report.sentinels.length}):`);
    lines.push(...report.sentinels.map((sentinel) => `  ${describeSentinel(sentinel)}`));
  }
  return lines;
}

/** A sentinel in one line: `email-flood: 50 writes of email.* per tenant within 1m → read_only`. */
export function describeSentinel(sentinel: SentinelSpec): string {
  const what =
    sentinel.signal === 'spend'
      ? `$${sentinel.threshold} spent`
      : `${sentinel.threshold} ${sentinel.signal}${sentinel.tool === undefined ? '' : ` of ${sentinel.tool}`}`;
  const expiry = sentinel.expiresInMs === undefined ? '' : ` for ${formatDuration(sentinel.expiresInMs)}`;
  const shadow = sentinel.enforce === false ? ' (shadow: records, stops nothing)' : '';
  return `${sentinel.name}: ${what} per ${sentinel.per} within ${formatDuration(sentinel.windowMs)} → ${sentinel.mode}${expiry}${shadow}`;
}

/** `estop status`: the version, the active rules and the enforcers. */
export async function status(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop status', STATUS_HELP, args, io, async () => {
    const options = parseStatusArgs(args);
    const client = connectClient(options, io);
    const [rules, enforcers, sentinels] = await Promise.all([
      client.listRules(),
      client.listEnforcers(),
      // A control plane older than sentinels has none to list.
      client.listSentinels().catch((error: unknown) => {
        if (isEstopError(error, 'not_found')) return { sentinels: [] };
        throw error;
      }),
    ]);
    const report: StatusReport = {
      version: rules.version,
      rules: rules.rules,
      enforcers: enforcers.enforcers,
      sentinels: sentinels.sentinels,
    };
    writeAnswer(io, options.json, report, () => formatStatus(report, Date.now()));
    return EXIT_OK;
  });
}
