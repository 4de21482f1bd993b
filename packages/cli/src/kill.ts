import type { Mode, Rule } from '@estop/core';
import {
  IsoTimeSchema,
  MAX_DURATION_MS,
  MODES,
  MODE_ALIASES,
  MODE_TABLE,
  describeScope,
  isGlobalScope,
  parseMode,
} from '@estop/core';
import type { Connection } from './args.js';
import {
  CLIENT_OPTIONS,
  CLIENT_OPTIONS_HELP,
  parseDurationOption,
  parseFlags,
  requireOption,
  resolveConnection,
} from './args.js';
import type { Enforcement } from '@estop/core';
import type { RuleRequest } from '@estop/client';
import { waitForEnforcement } from '@estop/client';
import { createApiClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_OK, UsageError, runCommand } from './command.js';
import { describeEnforcement, writeJson, writeLines } from './output.js';
import { describeRunStop, waitForStop } from './run-stop-progress.js';
import { STOP_OPTIONS, scopeFromFlags } from './scope-flags.js';

const MODE_NAMES = `${MODES.join(', ')} (or ${Object.keys(MODE_ALIASES).join(', ')})`;

/** Each mode and what it does, most restrictive first, from core's mode table. */
const MODE_HELP = [...MODES]
  .reverse()
  .map((mode) => `                        ${mode.padEnd(16)}${MODE_TABLE[mode].meaning}`)
  .join('\n');
const ALIAS_HELP = Object.entries(MODE_ALIASES)
  .map(([alias, mode]) => `${alias} means ${mode}`)
  .join(', ');

export const KILL_HELP = `usage: estop kill [--global] [--tenant T] [--agent A] [--run R] [--tool GLOB]
                  [--mode MODE] --reason TEXT [--at TIME] [--expires 30m] [--cancel-in-flight]
                  [--wait 2s]

Stops agents: creates a rule that takes authority away within a scope. The command returns once
the rule is durable, then waits up to --wait for the enforcers to acknowledge it and says which lag.

scope (at least one, or --global):
  --global            stop every agent everywhere (the empty scope)
  --tenant T          one tenant
  --agent A           one agent
  --run R             one run
  --tool GLOB         tools matching a glob, e.g. email.send or browser.*

  --mode MODE         what the rule takes away; default: the control plane's default mode
                      (read_only unless configured; ${ALIAS_HELP}):
${MODE_HELP}
  --reason TEXT       why you are stopping; recorded in the audit log
  --at TIME           a scheduled stop (a maintenance window, a planned freeze): the rule is
                      pushed now and takes effect at this ISO-8601 time, e.g.
                      2026-12-24T18:00:00Z (at most 366d away; listed as scheduled until then)
  --expires DURATION  lift the rule automatically after e.g. 30m, 4h or 7d (a unit is required;
                      at most 366d; default: never); with --at, counted from that time
  --cancel-in-flight  also abort calls already running in the scope (not with --at)
  --wait DURATION     how long to wait for enforcers to acknowledge, e.g. 5s (default 2s;
                      0 = don't wait; at most 1d)
${CLIENT_OPTIONS_HELP}

Exits 0 once the rule is durable, even when some enforcers have not acknowledged it yet.

examples:
  estop kill --tenant acme --mode read_only --reason "duplicate emails"
  estop kill --tenant acme --mode full_stop --at 2026-12-24T18:00:00Z --expires 12h --reason "holiday freeze"`;

/** What `estop kill` was asked to do, after its arguments were checked. */
export interface KillOptions {
  request: RuleRequest;
  waitMs: number;
  json: boolean;
  url: string | undefined;
  token: string | undefined;
}

const DEFAULT_WAIT = '2s';

/** Parses and checks `estop kill` arguments; throws a UsageError saying what to fix. */
export function parseKillArgs(args: string[]): KillOptions {
  const values = parseFlags(args, {
    ...CLIENT_OPTIONS,
    ...STOP_OPTIONS,
    at: { type: 'string' },
    expires: { type: 'string' },
    'cancel-in-flight': { type: 'boolean', default: false },
    wait: { type: 'string' },
  });

  const scope = scopeFromFlags(values);
  if (values.global && !isGlobalScope(scope)) {
    throw new UsageError(`--global stops everything; it cannot be combined with --tenant, --agent, --run or --tool`);
  }
  if (!values.global && isGlobalScope(scope)) {
    throw new UsageError(
      'no scope given: name what to stop with --tenant, --agent, --run or --tool, or pass --global to stop every agent everywhere',
    );
  }

  // Without --mode the control plane applies its configured default mode (read_only unless configured).
  let mode: Mode | undefined;
  if (values.mode !== undefined) {
    mode = parseMode(values.mode.trim());
    if (mode === undefined) throw new UsageError(`--mode "${values.mode}" is not a mode; use one of ${MODE_NAMES}`);
  }

  const reason = requireOption('reason', values.reason, 'why are you stopping? it goes in the audit log').trim();

  let expiresIn: string | undefined;
  if (values.expires !== undefined) {
    if (parseDurationOption('expires', values.expires, MAX_DURATION_MS) <= 0) {
      throw new UsageError('--expires must be longer than 0');
    }
    expiresIn = values.expires.trim();
  }
  const waitMs = parseDurationOption('wait', values.wait ?? DEFAULT_WAIT);
  const startsAt = values.at === undefined ? undefined : parseStartTime(values.at);
  if (startsAt !== undefined && values['cancel-in-flight']) {
    throw new UsageError('--cancel-in-flight cannot be scheduled: enforcers hear of a scheduled stop before it starts');
  }

  const request: RuleRequest = { scope, reason, cancelInFlight: values['cancel-in-flight'] };
  if (mode !== undefined) request.mode = mode;
  if (startsAt !== undefined) request.startsAt = startsAt;
  if (expiresIn !== undefined) request.expiresIn = expiresIn;
  return { request, waitMs, json: values.json, url: values.url, token: values.token };
}

/** `--at`: an ISO-8601 time with a zone (`Z` or an offset), as the control plane takes it. */
function parseStartTime(text: string): string {
  const trimmed = text.trim();
  if (!IsoTimeSchema.safeParse(trimmed).success) {
    throw new UsageError(`--at "${text}" is not an ISO-8601 time with a zone; write e.g. 2026-12-24T18:00:00Z`);
  }
  return trimmed;
}

/** Whole days, hours, minutes and seconds, largest first: `30m`, `1h30m`, `7d`, `45s`. */
function spanText(ms: number): string {
  let seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds === 0) return `${Math.max(0, ms)}ms`;
  let text = '';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (seconds >= size) {
      text += `${Math.floor(seconds / size)}${unit}`;
      seconds %= size;
    }
  }
  return text;
}

/**
 * When a rule lifts itself, as `estop kill` says it: `expires 2026-12-07T03:00:00Z (in 30m)`,
 * the span counted from the rule's creation (a scheduled rule's start), so a stop that ends
 * sooner than meant shows it.
 */
export function expiryLine(rule: Pick<Rule, 'createdAt' | 'startsAt' | 'expiresAt'>): string {
  if (rule.expiresAt === undefined) return 'does not expire';
  const at = rule.expiresAt.replace(/\.000Z$/, 'Z');
  const from = rule.startsAt ?? rule.createdAt;
  const span = spanText(Date.parse(rule.expiresAt) - Date.parse(from));
  return rule.startsAt === undefined ? `expires ${at} (in ${span})` : `expires ${at} (${span} after it starts)`;
}

/** The first line `estop kill` prints: what was stopped, or scheduled to stop and when. */
export function stoppedLine(rule: Rule, version: number): string {
  const what = `${describeScope(rule.scope)}: ${rule.mode} (rule ${rule.id}, version ${version})`;
  if (rule.startsAt === undefined) return `stopped ${what}`;
  return `scheduled ${what}, from ${rule.startsAt.replace(/\.000Z$/, 'Z')}`;
}

/** The `enforcement` part of `estop kill --json`: the Enforcement answer without its version. */
export function enforcementSummary(enforcement: Enforcement): Omit<Enforcement, 'version'> {
  const { acknowledged, total, ms, pending, runs } = enforcement;
  return runs === undefined ? { acknowledged, total, ms, pending } : { acknowledged, total, ms, pending, runs };
}

/** `estop kill`: creates a rule, reports it once durable, then reports how far it has spread. */
export async function kill(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop kill', KILL_HELP, args, io, async () => {
    const options = parseKillArgs(args);
    const connection: Connection = resolveConnection(options, io);
    const client = createApiClient(connection);

    const { rule, version } = await client.createRule(options.request);
    if (!options.json) {
      writeLines(io, [stoppedLine(rule, version), ...(rule.expiresAt === undefined ? [] : [expiryLine(rule)])]);
    }

    // The stop has succeeded from here on: a failure to learn about enforcement is reported, not fatal.
    let enforcement: Enforcement | undefined;
    if (options.waitMs > 0) {
      try {
        // A stop of whole runs also waits for those runs to terminate, and says how far they got;
        // a scheduled one has nothing to terminate yet, only enforcers to hold it.
        enforcement =
          rule.mode === 'full_stop' && rule.scope.tool === undefined && rule.startsAt === undefined
            ? await waitForStop(client, version, rule.id, options.waitMs)
            : await waitForEnforcement(client, version, options.waitMs);
      } catch (error) {
        io.stderr.write(
          `estop kill: the rule is in place, but its enforcement could not be checked: ${(error as Error).message}; run \`estop verify\`\n`,
        );
      }
    }

    if (options.json) {
      writeJson(io, { rule, version, enforcement: enforcement === undefined ? null : enforcementSummary(enforcement) });
    } else if (enforcement !== undefined) {
      writeLines(io, killEnforcementLines(enforcement));
    } else if (options.waitMs === 0) {
      writeLines(io, ['not waiting for enforcers; run `estop verify` to see who has applied it']);
    }
    return EXIT_OK;
  });
}

/**
 * What `estop kill` prints about enforcement: the one-line account, then, when it is incomplete,
 * a line saying what that means and what to do.
 */
export function killEnforcementLines(enforcement: Enforcement): string[] {
  const line = describeEnforcement(enforcement);
  const runs = enforcement.runs === undefined ? [] : [describeRunStop(enforcement.runs)];
  if (enforcement.total === 0) return [line, 'the rule applies to each enforcer as it connects', ...runs];
  if (enforcement.acknowledged < enforcement.total) {
    return [line, 'the rule is in place; run `estop verify` to check the stragglers again', ...runs];
  }
  return [line, ...runs];
}
