import { useId, useState } from 'react';
import { ROUTES, pathTo } from '@estop/client';
import type { Api } from '../api/client.js';
import type { AuditEntry, AuditHead, AuditVerification } from '../api/types.js';
import { DataTable } from '../components/data-table.js';
import { ErrorNote } from '../components/error-note.js';
import { actorLabel, describeScope, timestamp } from '../components/format.js';
import { useResource } from '../components/use-resource.js';
import { NotificationsSection } from './notifications.js';

const PAGE = 500;

/** The latest entries of the log, newest first. */
async function latestEntries(api: Api) {
  const { head } = await api.get<{ head: AuditHead }>(pathTo(ROUTES.listAudit, {}, { limit: 1 }));
  const after = Math.max(0, head.seq - PAGE);
  const page = await api.get<{ entries: AuditEntry[]; head: AuditHead }>(
    pathTo(ROUTES.listAudit, {}, { after, limit: PAGE }),
  );
  return { entries: [...page.entries].reverse(), head: page.head, after };
}

function details(entry: AuditEntry): string {
  if (entry.data === undefined) return '';
  return Object.entries(entry.data)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

/** The audit log, newest first, filterable, with the hash chain's verification. */
export function AuditView() {
  const log = useResource(['audit'], latestEntries);
  const verification = useResource(['audit'], (api) => api.get<AuditVerification>(pathTo(ROUTES.verifyAudit)));
  const [actor, setActor] = useState('');
  const [scope, setScope] = useState('');
  const [action, setAction] = useState('');
  const ids = { actor: useId(), scope: useId(), action: useId() };

  const entries = log.data?.entries ?? [];
  const actions = [...new Set(entries.map((entry) => entry.action))].sort();
  const shown = entries.filter(
    (entry) =>
      (actor === '' || actorLabel(entry.actor).toLowerCase().includes(actor.toLowerCase())) &&
      (scope === '' || describeScope(entry.scope).toLowerCase().includes(scope.toLowerCase())) &&
      (action === '' || entry.action === action),
  );

  return (
    <div>
      <h1>Audit log</h1>
      <Verification result={verification.data} error={verification.error} />
      <NotificationsSection />
      <h2 id="entries">Entries</h2>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor={ids.actor}>Actor</label>
          <input id={ids.actor} value={actor} onChange={(event) => setActor(event.target.value)} placeholder="any" />
        </div>
        <div className="field">
          <label htmlFor={ids.scope}>Scope</label>
          <input
            id={ids.scope}
            value={scope}
            onChange={(event) => setScope(event.target.value)}
            placeholder="e.g. tenant=acme or global"
          />
        </div>
        <div className="field">
          <label htmlFor={ids.action}>Action</label>
          <select id={ids.action} value={action} onChange={(event) => setAction(event.target.value)}>
            <option value="">any</option>
            {actions.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorNote error={log.error} />
      <p className="muted small" aria-live="polite">
        {log.data === undefined
          ? 'Loading…'
          : `${shown.length} of ${entries.length} entries shown${log.data.after > 0 ? ` (the latest ${PAGE}; export the whole log with estop audit export)` : ''}.`}
      </p>
      {shown.length > 0 ? (
        <DataTable
          headings={['#', 'When', 'Action', 'Actor', 'Scope', 'Reason', 'Details']}
          testId="audit-table"
          className="audit"
        >
          {shown.map((entry) => (
            <tr key={entry.seq}>
              <td>{entry.seq}</td>
              <td className="nowrap">{timestamp(entry.at)}</td>
              <td>
                <span className={`badge action-${entry.action}`}>{entry.action}</span>
              </td>
              <td>{actorLabel(entry.actor)}</td>
              <td className="wrap">
                <code>{describeScope(entry.scope)}</code>
              </td>
              <td className="wrap">{entry.reason ?? ''}</td>
              <td className="small wrap">
                {entry.ruleId !== undefined ? <code>{entry.ruleId}</code> : null} {details(entry)}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </div>
  );
}

function Verification(props: { result: AuditVerification | undefined; error: unknown }) {
  if (props.error !== undefined) return <ErrorNote error={props.error} />;
  if (props.result === undefined) return <p className="muted">Verifying the hash chain…</p>;
  if (props.result.ok) {
    return (
      <p className="status-ok" data-testid="audit-verified">
        Hash chain verified: {props.result.entries} entries, head{' '}
        <code title={props.result.head.hash}>{props.result.head.hash.slice(0, 12)}…</code>
      </p>
    );
  }
  return (
    <p className="error" role="alert" data-testid="audit-verified">
      Hash chain BROKEN at entry {props.result.brokenAt}: {props.result.problem}
    </p>
  );
}
