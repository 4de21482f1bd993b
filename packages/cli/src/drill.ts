import { isEstopError, describeScope, isGlobalScope, parseMode, type Enforcement, type Mode } from '@estop/core';
import type { RuleRequest } from '@estop/client';
import { fullyEnforced, waitForEnforcement } from '@estop/client';
import type { ApiClient } from './api-client.js';
import { connectClient } from './api-client.js';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseDurationOption, parseFlags } from './args.js';
import type { CommandIo } from './command.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, runCommand } from './command.js';
import { describeEnforcement, writeAnswer } from './output.js';
import { STOP_OPTIONS, scopeFromFlags } from './scope-flags.js';

/** The scope a drill stops when none is named: a tenant no agent is expected to use. */
export const DRILL_TENANT = 'estop-drill';

export const DRILL_HELP = `usage: estop drill [--tenant T] [--agent A] [--run R] [--tool GLOB] [--mode MODE]
                   [--reason TEXT] [--timeout 5s] [--json]

Runs the kill path end to end on a drill scope and reports how long each step took: stops the
scope (tenant ${DRILL_TENANT} unless another is named), waits for every connected enforcer to
acknowledge the stop, restores it, waits for every enforcer to acknowledge the restore, and checks
the audit log's hash chain. The drill rule expires by itself should the drill be cut short.

  --tenant, --agent, --run, --tool   the drill scope (never global); default --tenant ${DRILL_TENANT}
  --mode MODE         the drill rule's mode (default read_only)
  --reason TEXT       recorded in the audit log (default "drill")
  --timeout DURATION  how long each step may wait for the enforcers, with its unit (default 5s;
                      at most 1d)
${CLIENT_OPTIONS_HELP}

Needs an admin token (the drill restores what it stopped). Exits 0 when every connected enforcer
applied the stop and the restore and the audit chain is intact; 1 otherwise, naming the
enforcers that lagged; 1 also when no enforcer is connected (nothing would enforce a stop).

example:
  estop drill
  estop drill --tenant acme-staging --mode full_stop --timeout 2s`;

/** What `estop drill` was asked to do, after its arguments were checked. */
export interface DrillOptions {
  request: RuleRequest & { mode: Mode };
  timeoutMs: number;
  json: boolean;
  url: string | undefined;
  token: string | undefined;
}

/** The safety net: the drill rule expires after this many timeouts (and never sooner than a minute). */
const EXPIRY_TIMEOUTS = 3;
const MIN_EXPIRY_S = 60;

/** Parses and checks `estop drill` arguments; throws a UsageError saying what to fix. */
export function parseDrillArgs(args: string[]): DrillOptions {
  const values = parseFlags(args, {
    ...CLIENT_OPTIONS,
    ...STOP_OPTIONS,
    timeout: { type: 'string' },
  });
  if (values.global) {
    throw new UsageError('a drill never stops every agent; name a drill scope such as --tenant acme-staging');
  }
  const named = scopeFromFlags(values);
  const scope = isGlobalScope(named) ? { tenant: DRILL_TENANT } : named;
  const mode = values.mode === undefined ? 'read_only' : parseMode(values.mode.trim());
  if (mode === undefined) throw new UsageError(`--mode "${values.mode}" is not a mode; see \`estop kill --help\``);
  const reason = values.reason?.trim() || 'drill';
  const timeoutMs = parseDurationOption('timeout', values.timeout ?? '5s');
  if (timeoutMs <= 0) throw new UsageError('--timeout must be longer than 0');
  const expiresIn = `${Math.max(MIN_EXPIRY_S, Math.ceil((EXPIRY_TIMEOUTS * timeoutMs) / 1000))}s`;
  return {
    request: { scope, mode, reason, expiresIn, cancelInFlight: false },
    timeoutMs,
    json: values.json,
    url: values.url,
    token: values.token,
  };
}

/** What a drill found, step by step; `ok` only when every step completed on every enforcer. */
export interface DrillReport {
  ok: boolean;
  scope: string;
  mode: Mode;
  ruleId?: string;
  /** Connected enforcers before the drill began. */
  enforcers: number;
  stop?: { version: number; durableMs: number; enforcement: Enforcement };
  restore?: { version: number; durableMs: number; enforcement: Enforcement };
  audit?: { ok: boolean; entries: number };
  /** Why the drill did not pass, when it did not. */
  problems: string[];
}

function tenths(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** A drill step is complete when some enforcer applied it and none is behind. */
function complete(enforcement: Enforcement): boolean {
  return enforcement.total > 0 && fullyEnforced(enforcement);
}

/** Runs the drill against the control plane; never leaves its rule behind longer than its expiry. */
export async function runDrill(client: ApiClient, options: DrillOptions): Promise<DrillReport> {
  const { scope, mode } = options.request;
  const report: DrillReport = { ok: false, scope: describeScope(scope), mode, enforcers: 0, problems: [] };
  const listed = await client.listEnforcers();
  report.enforcers = listed.enforcers.filter((enforcer) => enforcer.connected).length;
  if (report.enforcers === 0) {
    report.problems.push('no enforcer is connected, so nothing would enforce a stop; start a guard or a gateway');
    return report;
  }

  let started = performance.now();
  const { rule, version } = await client.createRule(options.request);
  const stopDurableMs = tenths(performance.now() - started);
  report.ruleId = rule.id;
  const stopped = await waitForEnforcement(client, version, options.timeoutMs);
  report.stop = { version, durableMs: stopDurableMs, enforcement: stopped };
  if (!complete(stopped)) report.problems.push(`the stop: ${describeEnforcement(stopped)}`);

  started = performance.now();
  try {
    const lifted = await client.liftRule(rule.id, `${options.request.reason}: over`);
    if ('request' in lifted) {
      report.problems.push(
        `the restore needs a second admin (request ${lifted.request.id}); the drill rule expires by itself in ${options.request.expiresIn}`,
      );
    } else {
      const restoreDurableMs = tenths(performance.now() - started);
      const restored = await waitForEnforcement(client, lifted.version, options.timeoutMs);
      report.restore = { version: lifted.version, durableMs: restoreDurableMs, enforcement: restored };
      if (!complete(restored)) report.problems.push(`the restore: ${describeEnforcement(restored)}`);
    }
  } catch (error) {
    if (!isEstopError(error)) throw error;
    report.problems.push(
      `the restore failed (${error.message}); the drill rule expires by itself in ${options.request.expiresIn}`,
    );
  }

  const verification = await client.verifyAudit();
  report.audit = { ok: verification.ok, entries: verification.entries };
  if (!verification.ok) report.problems.push(`the audit chain is broken at entry ${verification.brokenAt}`);
  report.ok = report.problems.length === 0;
  return report;
}

/**
 * Puts the drill's result on the control plane's record (`drill-passed`, or `drill-failed`, which
 * is notified); a failure to record is said on stderr and changes nothing else.
 */
export async function recordDrill(client: ApiClient, options: DrillOptions, report: DrillReport, io: CommandIo) {
  const steps: Record<string, number> = {};
  if (report.stop !== undefined) steps.stop_durable = report.stop.durableMs;
  if (report.stop?.enforcement.ms !== undefined) steps.stop_enforced = report.stop.enforcement.ms;
  if (report.restore !== undefined) steps.restore_durable = report.restore.durableMs;
  if (report.restore?.enforcement.ms !== undefined) steps.restore_enforced = report.restore.enforcement.ms;
  try {
    await client.recordDrill({
      ok: report.ok,
      scope: options.request.scope,
      mode: report.mode,
      ruleId: report.ruleId,
      steps,
      problems: report.problems.slice(0, 20).map((problem) => problem.slice(0, 1000)),
    });
  } catch (error) {
    io.stderr.write(`estop drill: the result was not recorded: ${(error as Error).message}\n`);
  }
}

/** The drill's account for a person: one line a step, then the verdict. */
export function drillLines(report: DrillReport): string[] {
  const lines = [
    `drill on ${report.scope} (${report.mode}${report.ruleId === undefined ? '' : `, rule ${report.ruleId}`})`,
  ];
  if (report.stop !== undefined) {
    const { version, durableMs, enforcement } = report.stop;
    lines.push(
      `  stop     version ${version}, durable in ${Math.round(durableMs)} ms; ${describeEnforcement(enforcement)}`,
    );
  }
  if (report.restore !== undefined) {
    const { version, durableMs, enforcement } = report.restore;
    lines.push(
      `  restore  version ${version}, durable in ${Math.round(durableMs)} ms; ${describeEnforcement(enforcement)}`,
    );
  }
  if (report.audit !== undefined) {
    lines.push(`  audit    ${report.audit.ok ? 'chain intact' : 'chain BROKEN'}, ${report.audit.entries} entries`);
  }
  if (report.ok) lines.push(`drill passed: ${report.enforcers} enforcer${report.enforcers === 1 ? '' : 's'}`);
  else lines.push(...report.problems.map((problem) => `drill FAILED: ${problem}`));
  return lines;
}

/** `estop drill`: the kill path end to end on a drill scope, with its propagation times. */
export async function drill(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop drill', DRILL_HELP, args, io, async () => {
    const options = parseDrillArgs(args);
    const client = connectClient(options, io);
    const report = await runDrill(client, options);
    await recordDrill(client, options, report, io);
    writeAnswer(io, options.json, report, () => drillLines(report));
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  });
}
