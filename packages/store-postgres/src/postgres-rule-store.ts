import { planCommit, type ChangeEvent, type CommitRequest, type RuleStore } from '@estop/core';
import { appendAudit } from './postgres-audit-store.js';
import type { PostgresContext } from './postgres-context.js';
import { lockHead } from './postgres-head.js';
import {
  LIFT_COLUMNS,
  RULE_COLUMNS,
  RULE_INSERT_COLUMNS,
  changeEventFromRow,
  liftValues,
  ruleFromRow,
  ruleRecordFromRow,
  ruleValues,
  type ChangeRow,
  type RuleRow,
} from '@estop/core/sql';
import { POSTGRES_DIALECT } from './postgres-dialect.js';

type StateRow = { head_version: string; store_id: string } & (RuleRow | { id: null });

const INSERT_RULE = `INSERT INTO estop_rules (${RULE_INSERT_COLUMNS})
  VALUES (${RULE_INSERT_COLUMNS.split(', ')
    .map((_, index) => `$${index + 1}`)
    .join(', ')})`;
const LIFT_RULE = `UPDATE estop_rules SET ${LIFT_COLUMNS.map((column, index) => `${column} = $${index + 1}`).join(', ')}
  WHERE id = $${LIFT_COLUMNS.length + 1} AND lifted_at IS NULL`;

/** The notification channel on which commits are announced to other replicas. */
export const CHANGES_CHANNEL = 'estop_changes';

/** Rules and change events on PostgreSQL; a commit is one transaction under the head lock, audit included. */
export function createPostgresRuleStore(context: PostgresContext): RuleStore {
  return {
    async state() {
      // One statement, hence one snapshot: the version and the rules belong to the same moment.
      // With no active rule, the LEFT JOIN still yields the head, as one row of NULL rule columns.
      const rows = await context.query<StateRow>(
        `SELECT h.version AS head_version, (SELECT s.id FROM estop_store s LIMIT 1) AS store_id, r.*
         FROM estop_head h LEFT JOIN estop_rules r ON r.lifted_at IS NULL
         WHERE h.id = 1 ORDER BY r.ordinal`,
      );
      const rules = rows
        .filter((row): row is StateRow & RuleRow => row.id !== null)
        .map((row) => ruleFromRow(row, POSTGRES_DIALECT));
      return { version: Number(rows[0]?.head_version ?? 0), rules, storeId: rows[0]?.store_id ?? '' };
    },

    async commit(request: CommitRequest) {
      return context.transaction(async (client) => {
        const head = await lockHead(client);
        const createIds = (request.create ?? []).map((rule) => rule.id);
        const liftIds = (request.lift ?? []).map((lift) => lift.ruleId);
        const { rows } = await client.query<{ id: string; active: boolean }>(
          'SELECT id, lifted_at IS NULL AS active FROM estop_rules WHERE id = ANY($1::text[])',
          [[...createIds, ...liftIds]],
        );
        const changes = planCommit(request, {
          existing: new Set(rows.map((row) => row.id)),
          active: new Set(rows.filter((row) => row.active).map((row) => row.id)),
        });
        const version = head.version + 1;
        await client.query('INSERT INTO estop_changes (version, at, changes) VALUES ($1, $2, $3)', [
          version,
          request.at,
          JSON.stringify(changes),
        ]);
        for (const change of changes) {
          if (change.type === 'rule-created') {
            await client.query(INSERT_RULE, ruleValues(change.rule, version, POSTGRES_DIALECT));
          } else {
            await client.query(LIFT_RULE, liftValues(change.lift, version, POSTGRES_DIALECT));
          }
        }
        await client.query('UPDATE estop_head SET version = $1 WHERE id = 1', [version]);
        // Delivered to every listening replica when (and only if) the transaction commits.
        await client.query(`SELECT pg_notify('${CHANGES_CHANNEL}', $1)`, [String(version)]);
        const audit = await appendAudit(client, head.audit, request.audit, context.sha256);
        const event: ChangeEvent = { version, at: request.at, changes };
        return { event, audit };
      });
    },

    async get(id) {
      const rows = await context.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM estop_rules WHERE id = $1`, [id]);
      return rows[0] === undefined ? undefined : ruleRecordFromRow(rows[0], POSTGRES_DIALECT);
    },

    async changesSince(version, limit) {
      // LIMIT NULL means no limit.
      const rows = await context.query<ChangeRow>(
        'SELECT version, at, changes FROM estop_changes WHERE version > $1 ORDER BY version LIMIT $2',
        [version, limit === undefined ? null : Math.max(0, limit)],
      );
      return rows.map((row) => changeEventFromRow(row, POSTGRES_DIALECT));
    },

    async recordStart(ruleId, audit) {
      return context.transaction(async (client) => {
        const head = await lockHead(client);
        // Under the head lock, and conditional: of replicas racing, one updates the row, the others none.
        const marked = await client.query(
          'UPDATE estop_rules SET start_recorded = true WHERE id = $1 AND NOT start_recorded RETURNING id',
          [ruleId],
        );
        if (marked.rowCount === 0) return false;
        await appendAudit(client, head.audit, [audit], context.sha256);
        return true;
      });
    },
  };
}
