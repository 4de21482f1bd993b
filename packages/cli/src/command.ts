import { isEstopError } from '@estop/core';

/** Where a command writes and what it reads from its surroundings; `process` in production, buffers in tests. */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  /** Directory in which `.estop/admin-token` is looked for; the process's working directory by default. */
  cwd?: string | undefined;
}

/** A CLI command: takes its arguments (without the command name) and returns the exit code. */
export type Command = (args: string[], io: CommandIo) => Promise<number>;

/** Exit codes: 0 success, 1 the operation failed or found a problem, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * The command line is wrong (unknown flag, missing required flag, bad value). It is a CLI concern,
 * not a domain error, which is why it is not an EstopError: it maps to exit code 2, never to HTTP.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** True when the arguments ask for help (`--help` or `-h` before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * Runs a command body with the behaviour every command shares: `--help` prints `help` and exits 0;
 * a UsageError exits 2 with a pointer to the help; an EstopError or anything else exits 1.
 */
export async function runCommand(
  name: string,
  help: string,
  args: string[],
  io: CommandIo,
  body: () => Promise<number>,
): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(help.endsWith('\n') ? help : `${help}\n`);
    return EXIT_OK;
  }
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${name}: ${error.message}\n`);
      io.stderr.write(`run \`${name} --help\` for usage\n`);
      return EXIT_USAGE;
    }
    if (isEstopError(error)) {
      io.stderr.write(`${name}: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    io.stderr.write(`${name}: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (io.env.ESTOP_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return EXIT_FAILURE;
  }
}
