import { EstopError, parseMode, systemClock, type Clock, type Effect, type EnforcerKind, type Mode } from '@estop/core';
import { describeUrlProblem, parseControlPlaneUrls } from './control-plane-urls.js';
import { IdempotencyPolicy, type IdempotencyOptions } from './idempotency-policy.js';

/** Where a guard reads its local break-glass override from. */
export interface BreakGlassOptions {
  /** A mode name, as `ESTOP_BREAK_GLASS` would hold it; empty or absent means no override. */
  mode?: string | undefined;
  /** A file whose trimmed content is a mode, as `ESTOP_BREAK_GLASS_FILE` would name it. */
  file?: string | undefined;
  /** How often the file is checked, in milliseconds. Default 250. */
  intervalMs?: number | undefined;
}

/** How a guard connects to the control plane and fails safe. */
export interface GuardOptions {
  /**
   * Base URL of the control plane, e.g. `https://estop.internal:7700`; or its replicas, as a list
   * (`['http://cp-a:7070', 'http://cp-b:7070']`) or a comma-separated string. The guard uses one
   * replica at a time, starting at a random one, and moves to the next when it fails.
   */
  url: string | readonly string[];
  /** A bearer token with the `enforcer` role. */
  token: string;
  /** How this enforcer is listed by `estop verify`. Default: the script's name and pid. */
  name?: string | undefined;
  /** Effects of tools the control plane does not know; a tool known to neither is a write. */
  tools?: Record<string, Effect> | undefined;
  /** Silence after which the state is stale and the guard fails safe. Default 15000. */
  staleAfterMs?: number | undefined;
  /** The mode the guard falls back to before its first snapshot and while stale. Default `read_only`. */
  failMode?: Mode | undefined;
  /** What kind of enforcement point this is. Default `sdk`. */
  kind?: EnforcerKind | undefined;
  /** How long `ready()` waits for the first snapshot, in milliseconds. Default 10000. */
  readyTimeoutMs?: number | undefined;
  /**
   * The local break-glass override. Default: the `ESTOP_BREAK_GLASS` and
   * `ESTOP_BREAK_GLASS_FILE` environment variables; when given, the environment is not read.
   */
  breakGlass?: BreakGlassOptions | undefined;
  /** Reconnect delays: full jitter over a window doubling from `baseMs` (100) up to `maxMs` (5000). */
  reconnect?: { baseMs?: number | undefined; maxMs?: number | undefined } | undefined;
  /** The time source for staleness and rule expiry. Default: the system clock. */
  clock?: Clock | undefined;
  /**
   * Told of every failure the guard handles itself (unreachable control plane, rejected token,
   * malformed events, failed acknowledgements). Default: a warning on the console, repeated
   * lines at most once a minute.
   */
  onError?: ((error: EstopError) => void) | undefined;
  /**
   * Deduping of allowed writes through the control plane (`guard.execute`, `run.tool`): a
   * write's repeat within the window gets the first result instead of running again.
   * Default: every write tool, with a 10-minute window.
   *
   * @example
   * idempotency: { windowMs: 60_000, tools: { 'search.*': false, 'email.send': 3_600_000 } }
   */
  idempotency?: IdempotencyOptions | undefined;
  /** How long an `approval_gated` write waits for an operator's decision. Default 5 minutes. */
  approvalTimeoutMs?: number | undefined;
  /** How often refused calls are reported to the control plane as counts. Default 10000. */
  blockReportMs?: number | undefined;
}

/** Guard options with defaults applied and every value checked. */
export interface ResolvedGuardOptions {
  /** The control plane's replicas (one for a single URL), as bases that endpoints resolve against. */
  readonly urls: readonly URL[];
  readonly token: string;
  readonly name: string;
  readonly tools: Record<string, Effect>;
  readonly staleAfterMs: number;
  readonly failMode: Mode;
  readonly kind: EnforcerKind;
  readonly readyTimeoutMs: number;
  readonly breakGlass: {
    readonly mode: string | undefined;
    readonly modeOrigin: string;
    readonly file: string | undefined;
    readonly intervalMs: number;
  };
  readonly reconnect: { readonly baseMs: number; readonly maxMs: number };
  readonly clock: Clock;
  readonly onError: (error: EstopError) => void;
  readonly idempotency: IdempotencyPolicy;
  readonly approvalTimeoutMs: number;
  readonly blockReportMs: number;
}

/**
 * Checks guard options and fills in defaults.
 *
 * @throws EstopError `config_invalid`, naming every problem found.
 */
export function resolveGuardOptions(options: GuardOptions): ResolvedGuardOptions {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new EstopError({ code: 'config_invalid', message: 'createGuard: options must be an object' });
  }
  const { urls, problems: urlProblems } = parseControlPlaneUrls(options.url);
  problems.push(...urlProblems.map((problem) => describeUrlProblem('url', problem)));
  if (typeof options.token !== 'string' || !/^[\x21-\x7e]+$/.test(options.token)) {
    problems.push('token must be a non-empty string of printable characters without spaces');
  }
  const name = options.name ?? defaultName();
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    problems.push('name must be a string of 1 to 200 characters');
  }
  const tools = options.tools ?? {};
  if (typeof tools !== 'object' || tools === null) problems.push('tools must map tool names to "read" or "write"');
  else {
    for (const [tool, effect] of Object.entries(tools)) {
      if (effect !== 'read' && effect !== 'write') problems.push(`tools["${tool}"] must be "read" or "write"`);
    }
  }
  const failMode = typeof options.failMode === 'string' ? parseMode(options.failMode) : options.failMode;
  if (options.failMode !== undefined && failMode === undefined) {
    problems.push(`failMode "${String(options.failMode)}" is not a mode`);
  }
  const kind = options.kind ?? 'sdk';
  if (kind !== 'sdk' && kind !== 'gateway') problems.push('kind must be "sdk" or "gateway"');
  const staleAfterMs = positive(options.staleAfterMs, 15_000, 'staleAfterMs', problems);
  const readyTimeoutMs = positive(options.readyTimeoutMs, 10_000, 'readyTimeoutMs', problems);
  const baseMs = positive(options.reconnect?.baseMs, 100, 'reconnect.baseMs', problems);
  const maxMs = positive(options.reconnect?.maxMs, 5_000, 'reconnect.maxMs', problems);
  if (maxMs < baseMs) problems.push('reconnect.maxMs must not be less than reconnect.baseMs');
  const breakGlass = resolveBreakGlass(options.breakGlass, problems);
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function') problems.push('clock must have a now() method');
  if (options.onError !== undefined && typeof options.onError !== 'function')
    problems.push('onError must be a function');
  const idempotency = new IdempotencyPolicy(options.idempotency, problems);
  const approvalTimeoutMs = positive(options.approvalTimeoutMs, 5 * 60_000, 'approvalTimeoutMs', problems);
  if (!Number.isInteger(approvalTimeoutMs) || approvalTimeoutMs < 1_000 || approvalTimeoutMs > 24 * 60 * 60_000) {
    problems.push('approvalTimeoutMs must be a whole number of milliseconds from 1000 to one day');
  }
  const blockReportMs = positive(options.blockReportMs, 10_000, 'blockReportMs', problems);

  if (problems.length > 0) {
    throw new EstopError({
      code: 'config_invalid',
      message: `createGuard: ${problems.join('; ')}`,
      details: { problems },
    });
  }
  return {
    urls,
    token: options.token,
    name,
    tools: { ...tools },
    staleAfterMs,
    failMode: failMode ?? 'read_only',
    kind,
    readyTimeoutMs,
    breakGlass,
    reconnect: { baseMs, maxMs },
    clock,
    onError: options.onError ?? createConsoleReporter(),
    idempotency,
    approvalTimeoutMs,
    blockReportMs,
  };
}

function positive(value: number | undefined, fallback: number, field: string, problems: string[]): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    problems.push(`${field} must be a positive number of milliseconds`);
    return fallback;
  }
  return value;
}

function resolveBreakGlass(
  options: BreakGlassOptions | undefined,
  problems: string[],
): ResolvedGuardOptions['breakGlass'] {
  if (options === undefined) {
    return {
      mode: process.env['ESTOP_BREAK_GLASS'],
      modeOrigin: 'ESTOP_BREAK_GLASS',
      file: emptyToUndefined(process.env['ESTOP_BREAK_GLASS_FILE']),
      intervalMs: 250,
    };
  }
  if (options.mode !== undefined && typeof options.mode !== 'string') problems.push('breakGlass.mode must be a string');
  if (options.file !== undefined && typeof options.file !== 'string') problems.push('breakGlass.file must be a string');
  return {
    mode: options.mode,
    modeOrigin: 'the breakGlass option',
    file: emptyToUndefined(options.file),
    intervalMs: positive(options.intervalMs, 250, 'breakGlass.intervalMs', problems),
  };
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function defaultName(): string {
  const script = (process.argv[1] ?? 'node').split(/[\\/]/).pop() || 'node';
  return `${script}:${process.pid}`.slice(-200);
}

// Repeated failures (a control plane down for an hour) would otherwise print one line per
// reconnect attempt: the same line is printed again only after a minute.
function createConsoleReporter(): (error: EstopError) => void {
  let previous = '';
  let printedAt = 0;
  return (error) => {
    const line = `[estop] ${error.code}: ${error.message}`;
    const now = Date.now();
    if (line === previous && now - printedAt < 60_000) return;
    previous = line;
    printedAt = now;
    console.warn(line);
  };
}
