import { DataTable } from '../components/data-table.js';
import { ErrorNote } from '../components/error-note.js';
import { ago, timestamp } from '../components/format.js';
import { useLiveState } from '../components/session.js';
import { useEnforcers } from '../components/use-enforcers.js';
import { useNow } from '../components/use-now.js';

/** Enforcers: which are connected, which version each applied, what they have in flight. */
export function EnforcersView() {
  const enforcers = useEnforcers();
  const live = useLiveState();
  const now = useNow();
  const version = live.snapshot?.version ?? enforcers.data?.version;
  const list = [...(enforcers.data?.enforcers ?? [])].sort(
    (a, b) => Number(b.connected !== false) - Number(a.connected !== false) || a.name.localeCompare(b.name),
  );

  return (
    <div>
      <h1>Enforcers</h1>
      <p className="muted">Latest state version: {version ?? '—'}.</p>
      <ErrorNote error={enforcers.error} />
      {enforcers.data !== undefined && list.length === 0 ? (
        <p className="status-warn">No enforcer has registered: nothing enforces a stop yet.</p>
      ) : null}
      {list.length > 0 ? (
        <DataTable
          headings={['Name', 'Kind', 'Version applied', 'Last seen', 'In flight', 'Status']}
          testId="enforcers-table"
        >
          {list.map((enforcer) => {
            const connected = enforcer.connected !== false;
            const behind = version !== undefined && enforcer.version < version;
            return (
              <tr key={enforcer.id} className={connected ? undefined : 'row-stale'}>
                <td>
                  {enforcer.name}
                  <div className="muted small">
                    {enforcer.id}
                    {enforcer.host !== undefined ? ` · ${enforcer.host}` : ''}
                    {enforcer.pid !== undefined ? ` · pid ${enforcer.pid}` : ''}
                  </div>
                </td>
                <td>{enforcer.kind === 'sdk' ? 'SDK' : 'gateway'}</td>
                <td className={behind ? 'text-warn' : undefined}>{enforcer.version}</td>
                <td title={timestamp(enforcer.lastSeenAt)}>{ago(enforcer.lastSeenAt, now)}</td>
                <td>{enforcer.inFlight}</td>
                <td>
                  {!connected ? (
                    <span className="badge badge-stale">stale: not connected</span>
                  ) : behind ? (
                    <span className="badge badge-warn">behind</span>
                  ) : (
                    <span className="badge badge-ok">current</span>
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      ) : null}
    </div>
  );
}
