import type Database from 'better-sqlite3';
import { EMPTY_HEAD, type AuditDraft, type Delivery, type NotificationStore } from '@estop/core';
import {
  DELIVERY_COLUMNS,
  DELIVERY_INSERT_COLUMNS,
  RECEIVER_SUMMARY_SQL,
  deliveryFromRow,
  newDeliveryValues,
  receiverSummaries,
  settleValues,
  type DeliveryRow,
  type ReceiverCountRow,
} from '@estop/core/sql';
import { appendAudit } from './sqlite-audit-store.js';
import type { SqliteContext } from './sqlite-context.js';

const DEFAULT_LIST = 100;

function prepare(db: Database.Database) {
  return {
    cursor: db.prepare<[string], number>('SELECT seq FROM estop_notify_cursors WHERE receiver = ?').pluck(),
    auditSeq: db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM estop_audit').pluck(),
    // Never moves a cursor back.
    moveCursor: db.prepare<[string, number]>(
      `INSERT INTO estop_notify_cursors (receiver, seq) VALUES (?, ?)
       ON CONFLICT (receiver) DO UPDATE SET seq = max(seq, excluded.seq)`,
    ),
    insert: db.prepare<unknown[]>(
      `INSERT INTO estop_notify_deliveries (${DELIVERY_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    byId: db.prepare<[string], DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM estop_notify_deliveries WHERE id = ?`),
    due: db.prepare<[number, number, string, number], DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM estop_notify_deliveries
       WHERE status = 'pending' AND next_attempt_ms <= ? AND lease_until_ms <= ?
         AND receiver IN (SELECT value FROM json_each(?))
       ORDER BY ordinal LIMIT ?`,
    ),
    lease: db.prepare<[number, string]>('UPDATE estop_notify_deliveries SET lease_until_ms = ? WHERE id = ?'),
    settle: db.prepare<unknown[]>(
      `UPDATE estop_notify_deliveries SET status = ?, attempts = attempts + 1, lease_until_ms = 0,
         next_attempt_ms = coalesce(?, next_attempt_ms), last_error = coalesce(?, last_error), delivered_at = ?
       WHERE id = ?`,
    ),
    list: db.prepare<[number], DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM estop_notify_deliveries ORDER BY ordinal DESC LIMIT ?`,
    ),
    listByStatus: db.prepare<[string, number], DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM estop_notify_deliveries WHERE status = ? ORDER BY ordinal DESC LIMIT ?`,
    ),
    summary: db.prepare<[], ReceiverCountRow>(RECEIVER_SUMMARY_SQL),
    once: db.prepare<[string, string]>('INSERT INTO estop_once (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
  };
}

/**
 * The notification outbox on SQLite. Each write is one IMMEDIATE transaction, so processes sharing
 * the file queue a delivery once and lease it to one of them at a time.
 */
export function createSqliteNotificationStore(context: SqliteContext): NotificationStore {
  const { db } = context;
  let statements: ReturnType<typeof prepare> | undefined;
  // Prepared on first use, after migrate() made the tables.
  const prepared = () => (statements ??= prepare(db));

  const cursor = db.transaction((receiver: string): number => {
    const s = prepared();
    const known = s.cursor.get(receiver);
    if (known !== undefined) return known;
    const head = s.auditSeq.get() ?? EMPTY_HEAD.seq;
    s.moveCursor.run(receiver, head);
    return head;
  });

  const enqueue = db.transaction((request: Parameters<NotificationStore['enqueue']>[0]): Delivery[] => {
    const s = prepared();
    const added: Delivery[] = [];
    for (const delivery of request.deliveries) {
      if (s.insert.run(...newDeliveryValues(delivery, request.nowMs, request.leaseUntilMs)).changes === 0) continue;
      added.push(deliveryFromRow(s.byId.get(delivery.id) as DeliveryRow));
    }
    if (request.throughSeq !== undefined) s.moveCursor.run(request.receiver, request.throughSeq);
    return added;
  });

  const claim = db.transaction((request: Parameters<NotificationStore['claim']>[0]): Delivery[] => {
    const s = prepared();
    const rows = s.due.all(request.nowMs, request.nowMs, JSON.stringify(request.receivers), request.limit);
    for (const row of rows) s.lease.run(request.leaseUntilMs, row.id);
    return rows.map(deliveryFromRow);
  });

  const recordOnce = db.transaction((key: string, audit: AuditDraft) => {
    if (prepared().once.run(key, audit.at).changes === 0) return undefined;
    return appendAudit(context, [audit])[0];
  });

  return {
    cursor: (receiver) => context.run(() => cursor.immediate(receiver)),
    enqueue: (request) => context.run(() => enqueue.immediate(request)),
    claim: (request) => context.run(() => (request.receivers.length === 0 ? [] : claim.immediate(request))),
    settle: (id, outcome) => context.run(() => prepared().settle.run(...settleValues(outcome), id).changes > 0),
    list: (query = {}) =>
      context.run(() => {
        const limit = Math.max(0, query.limit ?? DEFAULT_LIST);
        const rows =
          query.status === undefined ? prepared().list.all(limit) : prepared().listByStatus.all(query.status, limit);
        return rows.map(deliveryFromRow);
      }),
    summary: () => context.run(() => receiverSummaries(prepared().summary.all())),
    recordOnce: (key, audit) => context.run(() => recordOnce.immediate(key, audit)),
  };
}
