import type { Delivery, NotificationStore } from '@estop/core';
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
import { appendAudit } from './postgres-audit-store.js';
import type { PostgresContext } from './postgres-context.js';
import { lockHead } from './postgres-head.js';

const DEFAULT_LIST = 100;

const INSERT_DELIVERY = `
  INSERT INTO estop_notify_deliveries (${DELIVERY_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
  ON CONFLICT (id) DO NOTHING
  RETURNING ${DELIVERY_COLUMNS}`;

// Never moves a cursor back.
const MOVE_CURSOR = `
  INSERT INTO estop_notify_cursors AS held (receiver, seq) VALUES ($1, $2)
  ON CONFLICT (receiver) DO UPDATE SET seq = greatest(held.seq, excluded.seq)`;

// SKIP LOCKED: replicas claiming at once each lease different deliveries, none waits for another.
const CLAIM = `
  UPDATE estop_notify_deliveries SET lease_until_ms = $1
  WHERE id IN (
    SELECT id FROM estop_notify_deliveries
    WHERE status = 'pending' AND next_attempt_ms <= $2 AND lease_until_ms <= $2 AND receiver = ANY($3::text[])
    ORDER BY ordinal LIMIT $4
    FOR UPDATE SKIP LOCKED)
  RETURNING ${DELIVERY_COLUMNS}`;

/** The notification outbox on PostgreSQL, shared by every replica on the database. */
export function createPostgresNotificationStore(context: PostgresContext): NotificationStore {
  return {
    async cursor(receiver) {
      // A new receiver starts at the audit head: what was committed before it existed is not notified.
      await context.query(
        `INSERT INTO estop_notify_cursors (receiver, seq) SELECT $1, audit_seq FROM estop_head WHERE id = 1
         ON CONFLICT (receiver) DO NOTHING`,
        [receiver],
      );
      const rows = await context.query<{ seq: string }>('SELECT seq FROM estop_notify_cursors WHERE receiver = $1', [
        receiver,
      ]);
      return Number(rows[0]?.seq ?? 0);
    },

    enqueue(request) {
      return context.transaction(async (client) => {
        const added: Delivery[] = [];
        for (const delivery of request.deliveries) {
          const inserted = await client.query<DeliveryRow>(
            INSERT_DELIVERY,
            newDeliveryValues(delivery, request.nowMs, request.leaseUntilMs),
          );
          if (inserted.rows[0] !== undefined) added.push(deliveryFromRow(inserted.rows[0]));
        }
        if (request.throughSeq !== undefined) await client.query(MOVE_CURSOR, [request.receiver, request.throughSeq]);
        return added;
      });
    },

    async claim(request) {
      if (request.receivers.length === 0) return [];
      const rows = await context.query<DeliveryRow>(CLAIM, [
        request.leaseUntilMs,
        request.nowMs,
        request.receivers,
        request.limit,
      ]);
      return rows.map(deliveryFromRow);
    },

    async settle(id, outcome) {
      const rows = await context.query(
        `UPDATE estop_notify_deliveries SET status = $1, attempts = attempts + 1, lease_until_ms = 0,
           next_attempt_ms = coalesce($2, next_attempt_ms), last_error = coalesce($3, last_error), delivered_at = $4
         WHERE id = $5 RETURNING id`,
        [...settleValues(outcome), id],
      );
      return rows.length > 0;
    },

    async list(query = {}) {
      const limit = Math.max(0, query.limit ?? DEFAULT_LIST);
      const rows =
        query.status === undefined
          ? await context.query<DeliveryRow>(
              `SELECT ${DELIVERY_COLUMNS} FROM estop_notify_deliveries ORDER BY ordinal DESC LIMIT $1`,
              [limit],
            )
          : await context.query<DeliveryRow>(
              `SELECT ${DELIVERY_COLUMNS} FROM estop_notify_deliveries WHERE status = $1 ORDER BY ordinal DESC LIMIT $2`,
              [query.status, limit],
            );
      return rows.map(deliveryFromRow);
    },

    async summary() {
      return receiverSummaries(await context.query<ReceiverCountRow>(RECEIVER_SUMMARY_SQL));
    },

    recordOnce(key, audit) {
      return context.transaction(async (client) => {
        // Under the head lock, like every append: of replicas racing, one inserts the key.
        const head = await lockHead(client);
        const marked = await client.query(
          'INSERT INTO estop_once (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
          [key, audit.at],
        );
        if (marked.rowCount === 0) return undefined;
        return (await appendAudit(client, head.audit, [audit], context.sha256))[0];
      });
    },
  };
}
