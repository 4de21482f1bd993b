import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseFlags } from './args.js';
import { connectClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_OK, runCommand } from './command.js';
import { writeAnswer } from './output.js';
import { formatRuleTable } from './rule-table.js';

export const RULES_HELP = `usage: estop rules [--json]

Lists the active rules at the current version. A scheduled stop (estop kill --at) is listed as
scheduled, with when it starts, until its time comes; --json gives each rule's status
(scheduled or active).

${CLIENT_OPTIONS_HELP}`;

/** `estop rules`: the active rules, scheduled ones marked. */
export async function rules(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop rules', RULES_HELP, args, io, async () => {
    const values = parseFlags(args, CLIENT_OPTIONS);
    const client = connectClient({ url: values.url, token: values.token }, io);
    const listed = await client.listRules();
    writeAnswer(io, values.json, listed, () => {
      if (listed.rules.length === 0) return [`version ${listed.version}: no active rules`];
      const scheduled = listed.rules.filter((rule) => rule.status === 'scheduled').length;
      return [
        `version ${listed.version}: ${listed.rules.length} rule${listed.rules.length === 1 ? '' : 's'}${scheduled === 0 ? '' : `, ${scheduled} scheduled`}`,
        ...formatRuleTable(listed.rules, Date.now()),
      ];
    });
    return EXIT_OK;
  });
}
