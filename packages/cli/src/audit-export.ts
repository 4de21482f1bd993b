import { hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EMPTY_HEAD, verifyChain, type AuditEntry, type AuditHead } from '@estop/core';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseIntegerOption, parseFlags } from './args.js';
import { connectClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, runCommand } from './command.js';
import { writeAnswer } from './output.js';

export const AUDIT_EXPORT_HELP = `usage: estop audit export [--after SEQ] > audit.jsonl

Writes every audit entry, in chain order, as one JSON line each (JSON Lines), paging through the
log. Check the file anywhere, without the control plane: estop audit verify --file audit.jsonl.
Export with a token that is not bound to a tenant: a tenant's token sees only its entries, and a
chain with entries left out does not verify.

  --after SEQ      only entries after this sequence number
${CLIENT_OPTIONS_HELP}`;

const PAGE = 10_000;

/** SHA-256 in lowercase hex, as the control plane chains entries. */
function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** `estop audit export`: the log as JSON Lines on stdout. */
export async function exportAudit(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop audit export', AUDIT_EXPORT_HELP, args, io, async () => {
    const values = parseFlags(args, { ...CLIENT_OPTIONS, after: { type: 'string' } });
    const client = connectClient(values, io);
    let after = values.after === undefined ? 0 : parseIntegerOption('after', values.after);
    // The head when the export starts bounds it: entries appended meanwhile belong to the next export.
    let end: number | undefined;
    let written = 0;
    while (end === undefined || after < end) {
      const page = await client.listAudit({ after, limit: PAGE });
      end ??= page.head.seq;
      if (page.entries.length > 0) {
        const entries = page.entries.filter((entry) => entry.seq <= (end as number));
        io.stdout.write(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
        written += entries.length;
      }
      // Pages are whole ranges of sequence numbers, even when a tenant's token sees only some of them.
      after += PAGE;
    }
    io.stderr.write(`exported ${written} audit entries (the log's head was at seq ${end})\n`);
    return EXIT_OK;
  });
}

export const AUDIT_VERIFY_FILE_HELP = `usage: estop audit verify --file audit.jsonl [--json]

Checks an export (estop audit export) offline: consecutive sequence numbers, each entry pointing
at its predecessor's hash, each hash matching its content. Exits 0 when the chain is intact, 1
naming the first broken entry. An export that starts after entry N is checked from its first
entry's prevHash, which the output names: compare it with the log or an earlier export.`;

/** The result of checking an exported file. */
export type AuditFileVerification =
  | { ok: true; entries: number; first?: number; head: AuditHead; startsAfter?: AuditHead }
  | { ok: false; entries: number; brokenAt: number; line: number; problem: string };

function parseLine(text: string, line: number): AuditEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `line ${line} is not JSON`;
  }
  const entry = value as Partial<AuditEntry> | null;
  if (
    entry === null ||
    typeof entry !== 'object' ||
    !Number.isInteger(entry.seq) ||
    typeof entry.prevHash !== 'string' ||
    typeof entry.hash !== 'string'
  ) {
    return `line ${line} is not an audit entry (seq, prevHash and hash are required)`;
  }
  return entry as AuditEntry;
}

/** Checks the JSON Lines of an audit export; pure apart from hashing. */
export function verifyAuditExport(text: string): AuditFileVerification {
  const entries: AuditEntry[] = [];
  const lines: number[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    if (raw.trim() === '') continue;
    const parsed = parseLine(raw, index + 1);
    if (typeof parsed === 'string') {
      const previous = entries[entries.length - 1];
      return {
        ok: false,
        entries: entries.length,
        brokenAt: (previous?.seq ?? 0) + 1,
        line: index + 1,
        problem: parsed,
      };
    }
    entries.push(parsed);
    lines.push(index + 1);
  }
  const first = entries[0];
  if (first === undefined) return { ok: true, entries: 0, head: EMPTY_HEAD };
  const start: AuditHead = first.seq === 1 ? EMPTY_HEAD : { seq: first.seq - 1, hash: first.prevHash };
  const result = verifyChain(entries, sha256Hex, start);
  if (!result.ok) {
    const line = lines[entries.findIndex((entry) => entry.seq === result.brokenAt)] ?? 0;
    return { ...result, line };
  }
  return first.seq === 1
    ? { ok: true, entries: result.entries, first: first.seq, head: result.head }
    : { ok: true, entries: result.entries, first: first.seq, head: result.head, startsAfter: start };
}

/** The readable verdict on an export. */
export function formatAuditFileVerification(result: AuditFileVerification): string[] {
  if (!result.ok) {
    return [`audit export BROKEN at entry ${result.brokenAt} (line ${result.line}): ${result.problem}`];
  }
  if (result.entries === 0) return ['audit export is empty: nothing to verify'];
  const lines = [
    `audit export intact: ${result.entries} entries, seq ${result.first} to ${result.head.seq}, head hash ${result.head.hash}`,
  ];
  if (result.startsAfter !== undefined) {
    lines.push(
      `it starts after entry ${result.startsAfter.seq}: checked from entry ${result.first}'s prevHash ${result.startsAfter.hash}; ` +
        'entries before it are not in the file, so compare that hash with the log or an earlier export',
    );
  }
  return lines;
}

/** `estop audit verify --file FILE`: checks an export offline. */
export async function verifyAuditFile(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop audit verify', AUDIT_VERIFY_FILE_HELP, args, io, async () => {
    const values = parseFlags(args, {
      file: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.file === undefined) throw new UsageError('--file is required');
    let text: string;
    try {
      text = await readFile(resolve(io.cwd ?? process.cwd(), values.file), 'utf8');
    } catch (error) {
      io.stderr.write(`estop audit verify: cannot read ${values.file}: ${(error as Error).message}\n`);
      return EXIT_FAILURE;
    }
    const result = verifyAuditExport(text);
    writeAnswer(io, values.json, result, () => formatAuditFileVerification(result));
    return result.ok ? EXIT_OK : EXIT_FAILURE;
  });
}
