import { useState } from 'react';
import { ROUTES, pathTo } from '@estop/client';
import { getAll } from '../api/client.js';
import type { RestoreRequest, Rule, SentinelView } from '../api/types.js';
import { ACTIONS, DataTable } from '../components/data-table.js';
import { ErrorNote } from '../components/error-note.js';
import { actorLabel, age, ago, describeScope, modeLabel, timestamp, until } from '../components/format.js';
import { canRestore, isAdmin } from '../components/permissions.js';
import { RowAction } from '../components/row-action.js';
import { isScheduled, scheduledText } from '../components/rule-timing.js';
import { causeOf } from '../components/sentinel-text.js';
import { useLiveState, useSession } from '../components/session.js';
import { useNow } from '../components/use-now.js';
import { useResource } from '../components/use-resource.js';
import { useSentinels } from '../components/use-sentinels.js';
import { ConfirmRestoreDialog } from './confirm-restore-dialog.js';
import { RestoreDialog } from './restore-dialog.js';
import { SentinelsSection } from './sentinels.js';

/** Active rules (from the state stream) with restore, and restore requests awaiting a second admin. */
export function RulesView() {
  const { principal } = useSession();
  const live = useLiveState();
  const now = useNow();
  const [restoring, setRestoring] = useState<Rule | undefined>();
  const sentinels = useSentinels();
  const rules = [...(live.snapshot?.rules ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  return (
    <div>
      <h1>Active rules</h1>
      {live.snapshot === undefined ? <p className="muted">Waiting for the state…</p> : null}
      {live.snapshot !== undefined && rules.length === 0 ? (
        <p className={live.status === 'live' ? 'status-ok' : 'muted'}>
          {live.status === 'live' ? 'No active rules.' : 'No active rules as of the last update (not current).'}
        </p>
      ) : null}
      {rules.length > 0 ? (
        <DataTable headings={['Scope', 'Mode', 'Reason', 'By', 'Age', 'Expires', ACTIONS]} testId="rules-table">
          {rules.map((rule) => (
            <tr key={rule.id} data-rule={rule.id}>
              <td>
                <code>{describeScope(rule.scope)}</code>
              </td>
              <td>
                <span className={`badge mode-${rule.mode}`}>{modeLabel(rule.mode)}</span>
                {rule.cancelInFlight ? <span className="muted"> · cancels in flight</span> : null}
                {rule.startsAt !== undefined && isScheduled(rule, now) ? (
                  <div data-testid="scheduled">
                    <span
                      className="badge badge-scheduled"
                      title="pushed to enforcers; matches nothing until it starts"
                    >
                      {scheduledText({ ...rule, startsAt: rule.startsAt }, now)}
                    </span>
                  </div>
                ) : null}
              </td>
              <td>{rule.reason}</td>
              <td>{actorLabel(rule.actor)}</td>
              <td title={timestamp(rule.createdAt)}>{age(Date.parse(rule.createdAt), now)}</td>
              <td title={rule.expiresAt === undefined ? undefined : timestamp(rule.expiresAt)}>
                {rule.expiresAt === undefined ? 'never' : until(rule.expiresAt, now)}
              </td>
              <td>
                <RowAction
                  shown={canRestore(principal, rule.scope)}
                  className="button-secondary"
                  onClick={() => {
                    // A trip's window moves without any event: read it afresh for the dialog.
                    sentinels.reload();
                    setRestoring(rule);
                  }}
                >
                  Restore…
                </RowAction>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {isAdmin(principal) ? (
        <RestoreRequests now={now} sentinels={sentinels.data?.sentinels ?? []} onOpen={sentinels.reload} />
      ) : null}
      <SentinelsSection sentinels={sentinels} />
      {restoring !== undefined ? (
        <RestoreDialog
          rule={restoring}
          trip={causeOf(restoring, sentinels.data?.sentinels ?? [])}
          onClose={() => setRestoring(undefined)}
        />
      ) : null}
    </div>
  );
}

function RestoreRequests(props: { now: number; sentinels: readonly SentinelView[]; onOpen: () => void }) {
  const { principal } = useSession();
  const requests = useResource(['restore-requests', 'rules'], (client) =>
    getAll<{ requests: RestoreRequest[] }>(client, pathTo(ROUTES.listRestoreRequests), 'requests'),
  );
  const [confirming, setConfirming] = useState<RestoreRequest | undefined>();
  const list = requests.data?.requests ?? [];

  return (
    <section aria-labelledby="restore-requests">
      <h2 id="restore-requests">Restore requests awaiting a second admin</h2>
      <ErrorNote error={requests.error} />
      {requests.data !== undefined && list.length === 0 ? <p className="muted">None pending.</p> : null}
      {list.length > 0 ? (
        <DataTable headings={['Scope', 'Mode', 'To', 'Requested by', 'When', 'Reason', ACTIONS]}>
          {list.map((request) => {
            const own = request.requestedBy.id === principal.name;
            return (
              <tr key={request.id}>
                <td>
                  <code>{describeScope(request.scope)}</code>
                </td>
                <td>{modeLabel(request.mode)}</td>
                <td>{request.to === undefined ? 'lifted' : modeLabel(request.to)}</td>
                <td>{actorLabel(request.requestedBy)}</td>
                <td title={timestamp(request.at)}>{ago(request.at, props.now)}</td>
                <td>{request.reason}</td>
                <td>
                  {own ? (
                    <span className="muted">yours: another admin must confirm</span>
                  ) : (
                    <button
                      type="button"
                      className="button-secondary"
                      onClick={() => {
                        props.onOpen();
                        setConfirming(request);
                      }}
                    >
                      Confirm…
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      ) : null}
      {confirming !== undefined ? (
        <ConfirmRestoreDialog
          request={confirming}
          sentinels={props.sentinels}
          onClose={() => setConfirming(undefined)}
        />
      ) : null}
    </section>
  );
}
