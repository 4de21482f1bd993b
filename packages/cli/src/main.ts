import { approvals } from './approvals.js';
import { audit } from './audit.js';
import type { Command, CommandIo } from './command.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './command.js';
import { drafts } from './drafts.js';
import { drill } from './drill.js';
import { kill } from './kill.js';
import { notify } from './notify.js';
import { restore } from './restore.js';
import { rules } from './rules.js';
import { sentinels } from './sentinels.js';
import { runs } from './runs.js';
import { status } from './status.js';
import { tokens } from './tokens.js';
import { verify } from './verify.js';

export const MAIN_HELP = `estop: the emergency stop for AI agents

usage: estop <command> [options]

commands:
  serve      run the control plane
  gateway    run the tool gateway
  kill       stop agents: create a rule within a scope (--tenant, --agent, --run, --tool, --global)
  restore    lift or step down a rule; list and confirm restore requests (a second admin)
  status     show the version, active rules and enforcers
  rules      list the active rules, scheduled stops marked as scheduled
  sentinels  list the sentinels (enforcing or in shadow), their peaks and standing trips
  verify     check that every connected enforcer has applied the current version
  drill      run the kill path end to end on a drill scope: stop, enforced, restore, audit
  notify     show notification receivers and their deliveries; \`notify test\` sends a test event
  runs       list live runs with their calls in flight; \`runs kill RUN_ID\` stops one
  approvals  list writes waiting for an operator; \`approvals approve|deny ID --reason …\` decides one
  drafts     list writes recorded instead of run (draft_only); \`drafts export\` writes them all as JSON lines
  audit      list, export and verify the audit log (an export verifies offline)
  tokens     create, list and revoke API tokens

Client commands find the control plane at --url (env ESTOP_URL, default http://127.0.0.1:7070)
and authenticate with --token (env ESTOP_TOKEN; otherwise ./.estop/admin-token if it exists).
Every command takes --help and --json.

example:
  estop kill --tenant acme --mode read_only --reason "duplicate emails"
  estop verify`;

const COMMANDS: Readonly<Record<string, Command>> = {
  kill,
  restore,
  status,
  rules,
  sentinels,
  verify,
  drill,
  notify,
  runs,
  approvals,
  drafts,
  audit,
  tokens,
};

/**
 * Commands that live in modules written and loaded separately (they pull in the server);
 * loaded on demand so that client commands stay fast and independent of them.
 */
const LAZY_COMMANDS: Readonly<Record<string, { module: string; export: string }>> = {
  serve: { module: './serve.js', export: 'serve' },
  gateway: { module: './gateway.js', export: 'gateway' },
};

async function loadLazy(
  name: string,
  spec: { module: string; export: string },
  io: CommandIo,
): Promise<Command | undefined> {
  let loaded: Record<string, unknown>;
  try {
    // A variable specifier: the module may not exist in every build.
    const specifier: string = spec.module;
    loaded = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    const stem = spec.module.replace(/^\.\//, '').replace(/\.js$/, '');
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes(stem)) {
      io.stderr.write(`estop ${name}: not available in this build\n`);
      return undefined;
    }
    throw error;
  }
  const command = loaded[spec.export];
  if (typeof command !== 'function') {
    io.stderr.write(`estop ${name}: not available in this build\n`);
    return undefined;
  }
  return command as Command;
}

/**
 * The `estop` entry point: dispatches to a command and returns the exit code
 * (0 success, 1 failure, 2 wrong usage).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export async function main(args: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    io.stderr.write(`${MAIN_HELP}\n`);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${MAIN_HELP}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (command !== undefined) return command(rest, io);
  const lazy = LAZY_COMMANDS[name];
  if (lazy !== undefined) {
    const loaded = await loadLazy(name, lazy, io);
    return loaded === undefined ? EXIT_FAILURE : loaded(rest, io);
  }
  io.stderr.write(`estop: unknown command "${name}"\nrun \`estop --help\` for the list of commands\n`);
  return EXIT_USAGE;
}
