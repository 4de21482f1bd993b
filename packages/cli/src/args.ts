import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { join } from 'node:path';
import { EstopError, parseDuration } from '@estop/core';
import type { CommandIo } from './command.js';
import { UsageError } from './command.js';

/** Where the control plane listens when neither `--url` nor `ESTOP_URL` says otherwise. */
export const DEFAULT_URL = 'http://127.0.0.1:7070';

/** The file `estop serve` writes the first admin token to, relative to the working directory. */
export const ADMIN_TOKEN_FILE = join('.estop', 'admin-token');

/** Options every client command accepts; spread into each command's `parseArgs` options. */
export const CLIENT_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

/** CLIENT_OPTIONS and `--reason`: the options of a subcommand that acts on one id, for a reason. */
export const REASON_OPTIONS = { ...CLIENT_OPTIONS, reason: { type: 'string' } } as const;

/** Help lines for CLIENT_OPTIONS, shared by every command's help text. */
export const CLIENT_OPTIONS_HELP = `  --url URL        control plane address (env ESTOP_URL, default ${DEFAULT_URL})
  --token TOKEN    bearer token (env ESTOP_TOKEN; otherwise ./${ADMIN_TOKEN_FILE} if it exists)
  --json           machine-readable output
  -h, --help       show this help`;

/**
 * Runs `parse` (a `node:util` `parseArgs` call) and turns its errors into UsageErrors that say
 * what is wrong in a few words, instead of Node's longer messages.
 */
export function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw toUsageError(error);
  }
}

function toUsageError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const option = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${option ?? error.message}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (option !== undefined && /does not take an argument/.test(error.message)) {
        return new UsageError(`${option} does not take a value`);
      }
      if (option !== undefined) {
        return new UsageError(`${option} needs a value (for a value starting with "-", write ${option}=VALUE)`);
      }
      return new UsageError(error.message);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const argument = /'([^']*)'/.exec(error.message)?.[1];
      return new UsageError(`unexpected argument ${argument === undefined ? '' : `"${argument}"`}`.trimEnd());
    }
    default:
      return error;
  }
}

/** The address and credentials a client command talks to the control plane with. */
export interface Connection {
  url: string;
  token: string | undefined;
  /** Where the token came from, as an operator would name it; absent when there is no token. */
  tokenSource?: TokenSource | undefined;
}

/** Where a client command's token came from, in the order they are looked for. */
export type TokenSource = '--token' | 'ESTOP_TOKEN' | './.estop/admin-token';

/**
 * Resolves the control plane address and token: `--url`, then `ESTOP_URL`, then the default;
 * `--token`, then `ESTOP_TOKEN`, then `./.estop/admin-token` when that file exists.
 */
export function resolveConnection(
  values: { url?: string | undefined; token?: string | undefined },
  io: CommandIo,
): Connection {
  const url = values.url ?? nonEmpty(io.env.ESTOP_URL) ?? DEFAULT_URL;
  if (values.token !== undefined && values.token.trim() === '') throw new UsageError('--token is empty');
  if (values.token !== undefined) return { url: checkUrl(url), token: values.token.trim(), tokenSource: '--token' };
  const fromEnvironment = nonEmpty(io.env.ESTOP_TOKEN)?.trim();
  if (fromEnvironment !== undefined) return { url: checkUrl(url), token: fromEnvironment, tokenSource: 'ESTOP_TOKEN' };
  const fromFile = readAdminTokenFile(io.cwd ?? process.cwd());
  if (fromFile === undefined) return { url: checkUrl(url), token: undefined };
  return { url: checkUrl(url), token: fromFile, tokenSource: './.estop/admin-token' };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function checkUrl(text: string): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new UsageError(`"${text}" is not a URL; give the control plane's address, e.g. ${DEFAULT_URL}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`"${text}" is not an http(s) URL; give the control plane's address, e.g. ${DEFAULT_URL}`);
  }
  return text.replace(/\/+$/, '');
}

function readAdminTokenFile(directory: string): string | undefined {
  const path = join(directory, ADMIN_TOKEN_FILE);
  try {
    const token = readFileSync(path, 'utf8').trim();
    return token === '' ? undefined : token;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new EstopError({
      code: 'config_invalid',
      message: `cannot read ${path}: ${(error as Error).message}`,
      cause: error,
    });
  }
}

/** The longest `--wait` or `--timeout`: a day. */
export const MAX_WAIT_MS = 86_400_000;

/**
 * Parses a duration flag such as `--wait 2s` into milliseconds, or throws a UsageError naming
 * the flag: its unit is required (`--expires 30` asks "30 what?"), and it may be at most `maxMs`
 * (a day unless given).
 */
export function parseDurationOption(flag: string, text: string, maxMs: number = MAX_WAIT_MS): number {
  try {
    return parseDuration(text, maxMs);
  } catch (error) {
    const message = (error as Error).message;
    throw new UsageError(message.startsWith('"') ? `--${flag} ${message}` : `--${flag} "${text.trim()}": ${message}`);
  }
}

/** Parses a non-negative integer flag such as `--limit 50`, or throws a UsageError naming the flag. */
export function parseIntegerOption(flag: string, text: string, minimum = 0): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < minimum || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${flag} "${text}" must be a whole number${minimum > 0 ? ` of at least ${minimum}` : ''}`);
  }
  return Number(text);
}

/** Throws a UsageError unless the flag has a non-blank value; `why` tells the user what it is for. */
export function requireOption(flag: string, value: string | undefined, why: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${flag} is required (${why})`);
  return value;
}

/**
 * The one id a subcommand acts on, trimmed: a UsageError says `missing` when none is given, and
 * `takesOne` (e.g. `revoke takes one token id`) with what followed when more are.
 */
export function requireOneId(positionals: readonly string[], missing: string, takesOne: string): string {
  const [id, ...extra] = positionals;
  if (id === undefined || id.trim() === '') throw new UsageError(missing);
  if (extra.length > 0) throw new UsageError(`${takesOne}; unexpected "${extra.join(' ')}"`);
  return id.trim();
}

type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;

type OneIdArgs<Options extends typeof CLIENT_OPTIONS> = ReturnType<
  typeof parseArgs<{ args: string[]; options: Options; strict: true; allowPositionals: true }>
>;

/**
 * Parses a subcommand that acts on one id: its flags, `options` (CLIENT_OPTIONS and any of its own),
 * and the one id, read by requireOneId with `missing` and `takesOne`.
 *
 * @example
 * const { values, id } = parseOneIdArgs(args, REASON_OPTIONS, 'which token?', 'revoke takes one token id');
 */
export function parseOneIdArgs<Options extends typeof CLIENT_OPTIONS>(
  args: string[],
  options: Options,
  missing: string,
  takesOne: string,
): { values: OneIdArgs<Options>['values']; id: string } {
  const { values, positionals } = parseOrUsage(() =>
    parseArgs({ args, options, strict: true, allowPositionals: true }),
  );
  return { values, id: requireOneId(positionals, missing, takesOne) };
}

type Flags<Options extends ParseArgsOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: Options; strict: true; allowPositionals: false }>
>['values'];

/**
 * Parses a command that takes flags only, `options`, and no other arguments; what is wrong
 * is a UsageError (see parseOrUsage).
 *
 * @example
 * const values = parseFlags(args, { ...CLIENT_OPTIONS, after: { type: 'string' } });
 */
export function parseFlags<Options extends ParseArgsOptions>(args: string[], options: Options): Flags<Options> {
  return parseOrUsage(() => parseArgs({ args, options, strict: true, allowPositionals: false })).values;
}
