import type { AuditDraft, AuditEntry, TokenRecord, TokenStore } from '@estop/core';
import { appendAudit } from './sqlite-audit-store.js';
import type { SqliteContext } from './sqlite-context.js';
import { alreadyExists, tokenFromRow, tokenValues } from '@estop/core/sql';
import { SQLITE_DIALECT, sqliteDecoder } from './sqlite-dialect.js';

/** Inserts a token within the caller's transaction; `conflict` if its id or hash is taken. */
export function insertToken(context: SqliteContext, record: TokenRecord): void {
  const statements = context.statements();
  if (statements.tokenTaken.get(record.id, record.hash) !== undefined) {
    throw alreadyExists('token', record.id, 'tokenId');
  }
  statements.insertToken.run(...tokenValues(record, SQLITE_DIALECT));
}

/** API tokens on SQLite; creating and revoking write the token and its audit entry in one transaction. */
export function createSqliteTokenStore(context: SqliteContext): TokenStore {
  const create = context.db.transaction((record: TokenRecord, audit: AuditDraft): AuditEntry => {
    insertToken(context, record);
    return appendAudit(context, [audit])[0] as AuditEntry;
  });

  const revoke = context.db.transaction((id: string, audit: AuditDraft): boolean => {
    // The audit entry's time is the revocation time, so the record and the log agree.
    if (context.statements().revokeToken.run(audit.at, id).changes === 0) return false;
    appendAudit(context, [audit]);
    return true;
  });

  return {
    create: (record, audit) => context.run(() => create.immediate(record, audit)),
    findByHash: (hash) =>
      context.readOne(() => context.statements().tokenByHash.get(hash), sqliteDecoder(tokenFromRow)),
    list: () => context.run(() => context.statements().tokens.all().map(sqliteDecoder(tokenFromRow))),
    revoke: (id, audit) => context.run(() => revoke.immediate(id, audit)),
  };
}
