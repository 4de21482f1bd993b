import type { SentinelView } from '@estop/client';
import { describeScope } from '@estop/core';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseFlags } from './args.js';
import { connectClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_OK, runCommand } from './command.js';
import { formatDuration, writeAnswer } from './output.js';
import { describeSentinel } from './status.js';

export const SENTINELS_HELP = `usage: estop sentinels [--json]

Lists the configured sentinels: each one enforcing, or in shadow (enforce: false: it counts as one
that enforces and records sentinel-would-trip where it would have tripped, stopping nothing), with
the peak its windows reached against its threshold and how often it tripped or would have, as this
control plane saw them since it started. Then each trip standing now, and whether its cause
continues: while the window still holds the threshold, \`estop restore\` refuses to lift it without
--force.

${CLIENT_OPTIONS_HELP}`;

/** A number as the threshold reads it: dollars with two decimals for spend, else a count. */
function amountText(sentinel: SentinelView, amount: number): string {
  return sentinel.signal === 'spend' ? `$${amount.toFixed(2)}` : String(amount);
}

/** What `estop sentinels` prints for one sentinel: its line, what it saw, its standing trips. */
export function formatSentinel(sentinel: SentinelView): string[] {
  const lines = [describeSentinel(sentinel)];
  const observed = sentinel.observed;
  if (observed !== undefined) {
    const crossings = sentinel.enforce === false ? `${observed.wouldTrips} would-trips` : `${observed.trips} trips`;
    lines.push(
      `  peak ${amountText(sentinel, observed.peak)} of ${amountText(sentinel, sentinel.threshold)} within ${formatDuration(sentinel.windowMs)}; ${crossings}`,
    );
  }
  for (const trip of sentinel.trips ?? []) {
    const { cause } = trip;
    const window = `${amountText(sentinel, cause.count)} of ${amountText(sentinel, cause.threshold)} within the last ${formatDuration(cause.windowMs)}`;
    lines.push(
      `  ${trip.ruleId} ${describeScope(trip.scope)}: ${cause.hot ? `cause continues (${window}); lifting needs --force` : `cause over (${window})`}`,
    );
  }
  return lines;
}

/** `estop sentinels`: the sentinels, enforcing or in shadow, with what they have seen. */
export async function sentinels(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop sentinels', SENTINELS_HELP, args, io, async () => {
    const values = parseFlags(args, CLIENT_OPTIONS);
    const client = connectClient({ url: values.url, token: values.token }, io);
    const listed = await client.listSentinels();
    writeAnswer(io, values.json, listed, () =>
      listed.sentinels.length === 0
        ? ['no sentinels configured']
        : listed.sentinels.flatMap((sentinel) => formatSentinel(sentinel)),
    );
    return EXIT_OK;
  });
}
