import { ROUTES, pathTo } from '@estop/client';
import type { NotifyStatus } from '../api/types.js';
import { DataTable } from '../components/data-table.js';
import { ErrorNote } from '../components/error-note.js';
import { ago, timestamp } from '../components/format.js';
import { receiverStates } from '../components/notify-state.js';
import { useNow } from '../components/use-now.js';
import { useResource } from '../components/use-resource.js';

/** How many of the latest deliveries the panel reads to find each receiver's state and last failure. */
const DELIVERIES = 200;

const STATE_CLASS: Record<string, string> = {
  delivered: 'badge badge-ok',
  retrying: 'badge badge-warn',
  failed: 'badge badge-stale',
};

/**
 * The notification receivers (`notify:` in the config) and how delivery to each stands: its
 * latest delivery's state and its last failure. Fetched when the audit log grows (each notified
 * change is an entry) and on request: a delivery's later attempts announce nothing.
 */
export function NotificationsSection() {
  const now = useNow();
  const status = useResource(['audit'], (api) =>
    api.get<NotifyStatus>(pathTo(ROUTES.notifyStatus, {}, { limit: DELIVERIES })),
  );
  const rows = status.data === undefined ? [] : receiverStates(status.data);
  return (
    <section aria-labelledby="notifications">
      <h2 id="notifications">Notifications</h2>
      <ErrorNote error={status.error} />
      {status.data !== undefined && rows.length === 0 ? (
        <p className="muted">No receivers configured (notify: in the config, see docs/notifications.md).</p>
      ) : null}
      {rows.length > 0 ? (
        <DataTable
          headings={['Receiver', 'Delivery', 'Pending', 'Delivered', 'Failed', 'Last failure']}
          testId="notify-table"
        >
          {rows.map((row) => (
            <tr key={row.receiver.receiver} data-receiver={row.receiver.name}>
              <td>
                <code>{row.receiver.name}</code> <span className="muted">{row.receiver.format}</span>
              </td>
              <td title={row.latest === undefined ? undefined : timestamp(row.latest.createdAt)}>
                <span className={STATE_CLASS[row.state] ?? 'badge'}>{row.state}</span>
                {row.latest === undefined ? null : (
                  <span className="muted">
                    {' '}
                    {row.latest.event}, {ago(row.latest.createdAt, now)}
                  </span>
                )}
              </td>
              <td className="num">{row.receiver.pending}</td>
              <td className="num">{row.receiver.delivered}</td>
              <td className="num">{row.receiver.failed}</td>
              <td data-testid="last-failure">
                {row.lastFailure === undefined
                  ? '—'
                  : `${row.lastFailure.lastError} (${row.lastFailure.event}, attempt ${row.lastFailure.attempts}, ${ago(row.lastFailure.createdAt, now)})`}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <p>
        <button type="button" className="button-secondary" onClick={() => status.reload()}>
          Refresh
        </button>
      </p>
    </section>
  );
}
