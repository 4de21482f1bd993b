import { connectClient, type ApiClient } from './api-client.js';
import { CLIENT_OPTIONS, parseFlags } from './args.js';
import { EXIT_OK, runCommand, type Command } from './command.js';
import { writeAnswer } from './output.js';

/** A subcommand that takes only the client's flags, reads one answer from the control plane and prints it. */
export interface ReadCommand<Answer> {
  /** The command line it answers to, e.g. `estop tokens list`: what its errors start with. */
  name: string;
  help: string;
  read(client: ApiClient): Promise<Answer>;
  /** The answer as a person reads it; `--json` prints it whole. */
  lines(answer: Answer): readonly string[];
  /** The exit code an answer ends with: EXIT_OK unless it says otherwise. */
  exitCode?(answer: Answer): number;
}

/**
 * The command for a ReadCommand: parse the client's flags, connect, read, print.
 *
 * @example
 * const list = readCommand({ name: 'estop runs', help, read: (client) => client.listRuns(), lines: formatRunList });
 */
export function readCommand<Answer>(command: ReadCommand<Answer>): Command {
  return (args, io) =>
    runCommand(command.name, command.help, args, io, async () => {
      const values = parseFlags(args, CLIENT_OPTIONS);
      const answer = await command.read(connectClient(values, io));
      writeAnswer(io, values.json, answer, () => command.lines(answer));
      return command.exitCode?.(answer) ?? EXIT_OK;
    });
}
