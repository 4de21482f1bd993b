import {
  planCommit,
  type AuditDraft,
  type ChangeEvent,
  type CommitRequest,
  type CommitResult,
  type RuleStore,
} from '@estop/core';
import { appendAudit } from './sqlite-audit-store.js';
import type { SqliteContext } from './sqlite-context.js';
import { changeEventFromRow, liftValues, ruleFromRow, ruleRecordFromRow, ruleValues } from '@estop/core/sql';
import { SQLITE_DIALECT, sqliteDecoder } from './sqlite-dialect.js';

/** Rules and change events on SQLite; a commit is one IMMEDIATE transaction, audit entries included. */
export function createSqliteRuleStore(context: SqliteContext): RuleStore {
  const { db } = context;

  // Both reads in one transaction, so the version and the rules belong to the same moment.
  const readState = db.transaction(() => {
    const statements = context.statements();
    return {
      version: statements.version.get() ?? 0,
      rules: statements.activeRules.all().map(sqliteDecoder(ruleFromRow)),
      storeId: statements.storeId.get() ?? '',
    };
  });

  const commit = db.transaction((request: CommitRequest): CommitResult => {
    const statements = context.statements();
    const rowOf = (id: string) => statements.ruleById.get(id);
    const existing = new Set((request.create ?? []).map((rule) => rule.id).filter((id) => rowOf(id) !== undefined));
    const active = new Set(
      (request.lift ?? []).map((lift) => lift.ruleId).filter((id) => rowOf(id)?.lifted_at === null),
    );
    const changes = planCommit(request, { existing, active });
    const version = (statements.version.get() ?? 0) + 1;
    const event: ChangeEvent = { version, at: request.at, changes };
    statements.insertChange.run(version, request.at, JSON.stringify(changes));
    for (const change of changes) {
      if (change.type === 'rule-created')
        statements.insertRule.run(...ruleValues(change.rule, version, SQLITE_DIALECT));
      else statements.liftRule.run(...liftValues(change.lift, version, SQLITE_DIALECT));
    }
    return { event, audit: appendAudit(context, request.audit) };
  });

  // Prepared on first use, which comes after `migrate()` has added the column.
  let markStarted: { run(id: string): { changes: number } } | undefined;
  const recordStart = db.transaction((ruleId: string, audit: AuditDraft): boolean => {
    markStarted ??= db.prepare<[string]>(
      'UPDATE estop_rules SET start_recorded = 1 WHERE id = ? AND start_recorded = 0',
    );
    if (markStarted.run(ruleId).changes === 0) return false;
    appendAudit(context, [audit]);
    return true;
  });

  return {
    state: () => context.run(() => readState.deferred()),
    commit: (request) => context.run(() => commit.immediate(request)),
    get: (id) => context.readOne(() => context.statements().ruleById.get(id), sqliteDecoder(ruleRecordFromRow)),
    changesSince: (version, limit) =>
      context.run(() =>
        context
          .statements()
          // A negative LIMIT means "no limit" to SQLite.
          .changesAfter.all(version, limit === undefined ? -1 : Math.max(0, limit))
          .map(sqliteDecoder(changeEventFromRow)),
      ),
    recordStart: (ruleId, audit) => context.run(() => recordStart.immediate(ruleId, audit)),
  };
}
