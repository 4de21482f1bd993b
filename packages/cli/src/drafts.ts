import { parseArgs } from 'node:util';
import type { Draft } from '@estop/core';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseIntegerOption, parseOrUsage } from './args.js';
import { formatArgs } from './approvals.js';
import { connectClient, type ApiClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_OK, UsageError, runCommand } from './command.js';
import { formatTable, writeAnswer } from './output.js';

export const DRAFTS_HELP = `usage: estop drafts [--tenant T] [--limit N] [--json]
       estop drafts export [--tenant T] > drafts.jsonl

Writes under a draft_only rule are recorded, not run. Lists the latest drafts, newest first,
with the call each one would have made; \`export\` writes every draft as JSON lines (newest
first), to review or replay once the rule is lifted.

  --tenant T       one tenant's drafts only
  --limit N        how many to list (1-1000, default 100)
${CLIENT_OPTIONS_HELP}`;

const PAGE = 1000;

/** Drafts as a table, newest first; the arguments last. */
export function formatDrafts(drafts: readonly Draft[]): string[] {
  if (drafts.length === 0) return ['no drafts recorded'];
  const rows = drafts.map((draft) => [
    draft.id,
    draft.at,
    draft.tenant,
    draft.agent ?? '-',
    draft.run ?? '-',
    draft.tool,
    draft.ruleId ?? '-',
    formatArgs(draft.args),
  ]);
  return formatTable(['ID', 'AT', 'TENANT', 'AGENT', 'RUN', 'TOOL', 'RULE', 'ARGS'], rows);
}

/**
 * Every draft, newest first, page by page. Drafts sharing the millisecond a page ends on are
 * asked for again (from just after it) and deduplicated by id, so none is skipped.
 */
export async function* allDrafts(client: Pick<ApiClient, 'listDrafts'>, tenant?: string): AsyncGenerator<Draft> {
  const seen = new Set<string>();
  let before: string | undefined;
  for (;;) {
    const { drafts } = await client.listDrafts({ tenant, before, limit: PAGE });
    const fresh = drafts.filter((draft) => !seen.has(draft.id));
    for (const draft of fresh) {
      seen.add(draft.id);
      yield draft;
    }
    const last = drafts.at(-1);
    if (drafts.length < PAGE || last === undefined) return;
    // Re-ask from just after the last one's millisecond, so that drafts sharing it are not
    // skipped; when that finds nothing new, more than a page shares that millisecond and only
    // strictly older drafts can follow.
    before = fresh.length === 0 ? last.at : new Date(Date.parse(last.at) + 1).toISOString();
  }
}

function parse(args: string[]) {
  return parseOrUsage(() =>
    parseArgs({
      args,
      options: { ...CLIENT_OPTIONS, tenant: { type: 'string' }, limit: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }),
  ).values;
}

async function exportDrafts(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop drafts export', DRAFTS_HELP, args, io, async () => {
    const values = parse(args);
    if (values.limit !== undefined) throw new UsageError('export writes every draft; --limit is for listing');
    const client = connectClient(values, io);
    for await (const draft of allDrafts(client, values.tenant)) io.stdout.write(`${JSON.stringify(draft)}\n`);
    return EXIT_OK;
  });
}

async function list(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop drafts', DRAFTS_HELP, args, io, async () => {
    const values = parse(args);
    const limit = values.limit === undefined ? 100 : parseIntegerOption('limit', values.limit, 1);
    if (limit > PAGE) throw new UsageError(`--limit is at most ${PAGE}; use \`estop drafts export\` for all of them`);
    const client = connectClient(values, io);
    const result = await client.listDrafts({ tenant: values.tenant, limit });
    writeAnswer(io, values.json, result, () => formatDrafts(result.drafts));
    return EXIT_OK;
  });
}

/** `estop drafts [export]`: list the latest drafts, or export all of them. */
export async function drafts(args: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'export') return exportDrafts(rest, io);
  return list(args, io);
}
