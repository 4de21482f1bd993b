import type { PoolClient } from 'pg';
import {
  chainEntries,
  type AuditDraft,
  type AuditEntry,
  type AuditHead,
  type AuditStore,
  type Sha256,
} from '@estop/core';
import type { PostgresContext } from './postgres-context.js';
import { lockHead, readHead } from './postgres-head.js';
import { AUDIT_COLUMNS, auditFromRow, auditValues, type AuditRow } from '@estop/core/sql';
import { POSTGRES_DIALECT } from './postgres-dialect.js';

const DEFAULT_PAGE = 1000;

/**
 * Entries as one array per column, in `AUDIT_COLUMNS` order, for a single INSERT ... SELECT FROM
 * unnest(...): one statement and one round trip for a batch of any size.
 */
function auditColumns(entries: readonly AuditEntry[]): unknown[][] {
  const rows = entries.map(auditValues);
  return AUDIT_COLUMNS.split(', ').map((_, column) => rows.map((row) => row[column]));
}

/**
 * Chains `drafts` after `head`, inserts them with one statement and moves the head row.
 * Call it in a transaction holding the head lock (`lockHead`), with the head it returned.
 */
export async function appendAudit(
  client: PoolClient,
  head: AuditHead,
  drafts: readonly AuditDraft[],
  sha256: Sha256,
): Promise<AuditEntry[]> {
  const entries = chainEntries(head, drafts, sha256);
  const last = entries.at(-1);
  if (last === undefined) return entries;
  await client.query(
    `INSERT INTO estop_audit (${AUDIT_COLUMNS})
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::jsonb[], $7::text[],
       $8::jsonb[], $9::text[], $10::text[])`,
    auditColumns(entries),
  );
  await client.query('UPDATE estop_head SET audit_seq = $1, audit_hash = $2 WHERE id = 1', [last.seq, last.hash]);
  return entries;
}

/** The audit log on PostgreSQL. A batch is one transaction and one INSERT, however many entries it holds. */
export function createPostgresAuditStore(context: PostgresContext): AuditStore {
  return {
    async append(drafts) {
      if (drafts.length === 0) return [];
      return context.transaction(async (client) =>
        appendAudit(client, (await lockHead(client)).audit, drafts, context.sha256),
      );
    },
    async list(query = {}) {
      const rows = await context.query<AuditRow>(
        `SELECT ${AUDIT_COLUMNS} FROM estop_audit WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [query.afterSeq ?? 0, Math.max(0, query.limit ?? DEFAULT_PAGE)],
      );
      return rows.map((row) => auditFromRow(row, POSTGRES_DIALECT));
    },
    async head() {
      return (await readHead(context)).audit;
    },
  };
}
