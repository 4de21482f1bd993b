import pg from 'pg';
import { CHANGES_CHANNEL } from './postgres-rule-store.js';

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/**
 * Listens for commits announced by any process on the database (`NOTIFY estop_changes`) on a
 * connection of its own, reconnecting with backoff when it breaks. After every (re)connection it
 * calls `onChange` once too, since commits made while it was not listening were not heard.
 */
export async function watchPostgresChanges(url: string, onChange: () => void): Promise<{ close(): Promise<void> }> {
  let closed = false;
  let client: pg.Client | undefined;
  let retryMs = RETRY_MIN_MS;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    // Bounded, so that a partition does not hold the reconnection up; kept alive, so that one is noticed.
    const next = new pg.Client({
      connectionString: url,
      application_name: 'estop-watch',
      connectionTimeoutMillis: 2_000,
      keepAlive: true,
    });
    next.on('notification', () => onChange());
    next.on('error', () => reconnect());
    next.on('end', () => reconnect());
    await next.connect();
    await next.query(`LISTEN ${CHANGES_CHANNEL}`);
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    retryMs = RETRY_MIN_MS;
    onChange();
  };

  function reconnect(): void {
    if (closed || timer !== undefined) return;
    const broken = client;
    client = undefined;
    broken?.removeAllListeners();
    broken?.end().catch(() => {});
    timer = setTimeout(() => {
      timer = undefined;
      connect().catch(() => reconnect());
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const current = client;
      client = undefined;
      current?.removeAllListeners();
      await current?.end().catch(() => {});
    },
  };
}
