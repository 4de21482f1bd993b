import type { Enforcement, RunRecord } from '@estop/core';
import { CLIENT_OPTIONS_HELP, parseDurationOption, parseOneIdArgs, REASON_OPTIONS, requireOption } from './args.js';
import { connectClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { readCommand } from './read-command.js';
import { EXIT_FAILURE, EXIT_OK, runCommand } from './command.js';
import { describeEnforcement, formatAge, formatTable, writeJson, writeLines } from './output.js';
import { runStopStage } from '@estop/client';
import { describeRunStop, waitForStop } from './run-stop-progress.js';

export const RUNS_HELP = `usage: estop runs [--json]
       estop runs kill RUN_ID --reason TEXT [--wait 2s] [--force] [--json]

Lists the runs registered with the control plane (with their calls in flight), or kills one.
A run not heard from for three heartbeats is shown as lost.

${CLIENT_OPTIONS_HELP}`;

export const RUNS_KILL_HELP = `usage: estop runs kill RUN_ID --reason TEXT [--wait 2s] [--force] [--json]

Stops one run: a full_stop rule scoped to the run, cancelling its calls in flight. The run's
signal aborts, its running tool calls receive the abort, and every later call is refused.
Waits up to --wait for the run to terminate and says how far it got:
requested -> enforced (no new calls) -> drained (nothing in flight) -> terminated.

  --reason TEXT    why you are stopping it; recorded in the audit log
  --wait DURATION  how long to wait for the run to terminate, with its unit (default 2s;
                   0 = don't wait; at most 1d)
  --force          stop the run even if the control plane has no record of it (a run id
                   not yet registered, or from another control plane); without it an
                   unknown run id is refused and nothing is created
${CLIENT_OPTIONS_HELP}`;

/** Runs as a table, with each call in flight on a line of its own beneath its run; ages relative to `nowMs`. */
export function formatRuns(runs: readonly RunRecord[], nowMs: number): string[] {
  if (runs.length === 0) return ['no runs registered'];
  const rows: string[][] = [];
  for (const run of runs) {
    rows.push([
      run.id,
      run.tenant,
      run.agent ?? '-',
      run.status,
      run.stopReason ?? '-',
      formatAge(run.startedAt, nowMs),
      `${formatAge(run.lastHeartbeatAt, nowMs)} ago`,
      String(run.inFlight.length),
    ]);
    for (const call of run.inFlight) {
      rows.push([`  ${call.tool}`, '', '', 'in flight', '', formatAge(call.startedAt, nowMs), '', '']);
    }
  }
  return formatTable(['RUN', 'TENANT', 'AGENT', 'STATUS', 'STOP REASON', 'AGE', 'LAST HEARD', 'IN-FLIGHT'], rows);
}

/** What `estop runs kill` was asked to do. */
export interface RunKillOptions {
  runId: string;
  reason: string;
  waitMs: number;
  /** Stop the run even if the control plane has no record of it. */
  force: boolean;
  json: boolean;
  url: string | undefined;
  token: string | undefined;
}

/** Parses `estop runs kill` arguments; throws a UsageError saying what to fix. */
export function parseRunKillArgs(args: string[]): RunKillOptions {
  const { values, id: runId } = parseOneIdArgs(
    args,
    { ...REASON_OPTIONS, wait: { type: 'string' }, force: { type: 'boolean', default: false } } as const,
    'which run? give its id, e.g. `estop runs kill run_1a2b --reason "looping"` (`estop runs` lists them)',
    'kill takes one run id',
  );
  const reason = requireOption('reason', values.reason, 'why are you stopping it? it goes in the audit log').trim();
  return {
    runId,
    reason,
    waitMs: parseDurationOption('wait', values.wait ?? '2s'),
    force: values.force,
    json: values.json,
    url: values.url,
    token: values.token,
  };
}

/** What `estop runs kill` (and `estop kill`) print about a stop's enforcement and its runs. */
export function stopProgressLines(enforcement: Enforcement): string[] {
  const lines = [describeEnforcement(enforcement)];
  if (enforcement.runs !== undefined) lines.push(describeRunStop(enforcement.runs));
  return lines;
}

async function kill(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop runs kill', RUNS_KILL_HELP, args, io, async () => {
    const options = parseRunKillArgs(args);
    const client = connectClient(options, io);
    if (!options.force) {
      const { runs: known } = await client.listRuns();
      if (!known.some((run) => run.id === options.runId)) {
        io.stderr.write(
          `estop runs kill: no run "${options.runId}" is registered with the control plane; nothing was stopped\n` +
            'check the id with `estop runs`, or pass --force to stop that run id anyway (a durable full_stop rule)\n',
        );
        return EXIT_FAILURE;
      }
    }
    const { rule, version, run } = await client.killRun(options.runId, options.reason);
    if (!options.json) {
      writeLines(io, [`stopping run ${options.runId} (rule ${rule.id}, version ${version})`]);
      if (run === null)
        writeLines(io, ['the control plane has no record of this run; the rule stops it wherever it runs']);
    }
    let enforcement: Enforcement | undefined;
    if (options.waitMs > 0) {
      try {
        enforcement = await waitForStop(client, version, rule.id, options.waitMs);
      } catch (error) {
        io.stderr.write(
          `estop runs kill: the rule is in place, but its progress could not be checked: ${(error as Error).message}\n`,
        );
      }
    }
    if (options.json) {
      writeJson(io, {
        rule,
        version,
        run,
        enforcement: enforcement ?? null,
        stage: enforcement?.runs === undefined ? 'requested' : runStopStage(enforcement.runs),
      });
    } else if (enforcement !== undefined) {
      writeLines(io, stopProgressLines(enforcement));
    }
    return EXIT_OK;
  });
}

const list = readCommand({
  name: 'estop runs',
  help: RUNS_HELP,
  read: (client) => client.listRuns(),
  lines: (result) => formatRuns(result.runs, Date.now()),
});

/** `estop runs [kill]`: list runs, or kill one. */
export async function runs(args: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'kill') return kill(rest, io);
  return list(args, io);
}
