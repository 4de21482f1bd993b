import type { NotifyStatus, NotifyTestResult } from '@estop/client';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseFlags } from './args.js';
import { connectClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, runCommand } from './command.js';
import { formatTable, writeAnswer } from './output.js';

export const NOTIFY_HELP = `usage: estop notify status [--failed | --pending] [--limit N] [--json]
       estop notify test [--json]

status: each notification receiver (shown by its origin; its path and query may hold a secret)
with how far its outbox has read the audit log and its pending, delivered and failed deliveries;
then the latest deliveries, with their attempts, last error and next attempt. Viewer role.

test: sends a test event to every receiver now and says how each attempt went (exit 1 if one
failed; it is retried as any delivery). Admin role.

Receivers are configured in the server's config (notify:), see docs/notifications.md.

${CLIENT_OPTIONS_HELP}`;

/** What `estop notify status` prints. */
export function formatNotifyStatus(status: NotifyStatus): string[] {
  if (status.receivers.length === 0) return ['no notification receivers configured'];
  const lines = formatTable(
    ['receiver', 'format', 'signed', 'audit seq', 'pending', 'delivered', 'failed'],
    status.receivers.map((receiver) => [
      receiver.name,
      receiver.format,
      receiver.signed ? 'yes' : 'no',
      String(receiver.cursor),
      String(receiver.pending),
      String(receiver.delivered),
      String(receiver.failed),
    ]),
  );
  if (status.deliveries.length === 0) return lines;
  return [
    ...lines,
    '',
    ...formatTable(
      ['delivery', 'receiver', 'event', 'status', 'attempts', 'last error', 'next attempt'],
      status.deliveries.map((delivery) => [
        delivery.id,
        delivery.name,
        delivery.event,
        delivery.status,
        String(delivery.attempts),
        delivery.lastError ?? '-',
        delivery.nextAttemptAt ?? '-',
      ]),
    ),
  ];
}

/** What `estop notify test` prints: one line per receiver. */
export function formatNotifyTest(results: readonly NotifyTestResult[]): string[] {
  return results.map((result) =>
    result.attempt.ok
      ? `${result.name}: delivered (${result.delivery})`
      : `${result.name}: failed: ${result.attempt.error} (${result.delivery}, will be retried)`,
  );
}

async function status(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop notify status', NOTIFY_HELP, args, io, async () => {
    const values = parseFlags(args, {
      ...CLIENT_OPTIONS,
      failed: { type: 'boolean', default: false },
      pending: { type: 'boolean', default: false },
      limit: { type: 'string' },
    });
    if (values.failed && values.pending) throw new UsageError('give --failed or --pending, not both');
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500)) {
      throw new UsageError('--limit is a whole number from 1 to 500');
    }
    const client = connectClient(values, io);
    const answer = await client.notifyStatus({
      status: values.failed ? 'failed' : values.pending ? 'pending' : undefined,
      limit,
    });
    writeAnswer(io, values.json, answer, () => formatNotifyStatus(answer));
    return EXIT_OK;
  });
}

async function test(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop notify test', NOTIFY_HELP, args, io, async () => {
    const values = parseFlags(args, CLIENT_OPTIONS);
    const client = connectClient(values, io);
    const answer = await client.notifyTest();
    writeAnswer(io, values.json, answer, () => formatNotifyTest(answer.results));
    return answer.results.every((result) => result.attempt.ok) ? EXIT_OK : EXIT_FAILURE;
  });
}

/** `estop notify status|test`: notification receivers and their deliveries; a test event. */
export async function notify(args: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'status') return status(rest, io);
  if (subcommand === 'test') return test(rest, io);
  return runCommand('estop notify', NOTIFY_HELP, args, io, async () => {
    throw new UsageError(
      subcommand === undefined
        ? 'name a subcommand: status or test'
        : `unknown subcommand "${subcommand}"; use status or test`,
    );
  });
}
