import { useState } from 'react';
import { ROUTES, pathTo } from '@estop/client';
import type { Rule, RunRecord } from '../api/types.js';
import { Convergence } from '../components/convergence.js';
import { ACTIONS, DataTable } from '../components/data-table.js';
import { ErrorNote } from '../components/error-note.js';
import { age, ago, timestamp } from '../components/format.js';
import { canStop } from '../components/permissions.js';
import { ReasonDialog } from '../components/reason-dialog.js';
import { RowAction } from '../components/row-action.js';
import { useSession } from '../components/session.js';
import { useNow } from '../components/use-now.js';
import { useRuns } from '../components/use-runs.js';
import { ApprovalsSection } from './approvals.js';

/** Live runs with their calls in flight and a per-run stop, then pending approvals. */
export function RunsView() {
  const { api, principal } = useSession();
  const runs = useRuns();
  const now = useNow();
  const [showEnded, setShowEnded] = useState(false);
  const [killing, setKilling] = useState<RunRecord | undefined>();
  const all = runs.data?.runs ?? [];
  const list = showEnded ? all : all.filter((run) => run.status !== 'ended');

  return (
    <div>
      <h1>Runs</h1>
      <label className="check">
        <input type="checkbox" checked={showEnded} onChange={(event) => setShowEnded(event.target.checked)} /> Show
        ended runs
      </label>
      <ErrorNote error={runs.error} />
      {runs.data !== undefined && list.length === 0 ? <p className="muted">No live runs.</p> : null}
      {list.length > 0 ? (
        <DataTable
          headings={['Run', 'Tenant / agent', 'Status', 'In flight', 'Started', 'Heard from', ACTIONS]}
          testId="runs-table"
        >
          {list.map((run) => (
            <tr key={run.id}>
              <td>
                <code>{run.id}</code>
              </td>
              <td>
                {run.tenant}
                {run.agent !== undefined ? ` / ${run.agent}` : ''}
              </td>
              <td>
                <span className={`badge run-${run.status}`}>{run.status}</span>
                {run.stopReason !== undefined ? <div className="muted small">{run.stopReason}</div> : null}
              </td>
              <td>
                {run.inFlight.length === 0
                  ? '—'
                  : run.inFlight.map((call) => (
                      <div key={`${call.tool}-${call.startedAt}`}>
                        <code>{call.tool}</code>{' '}
                        <span className="muted">for {age(Date.parse(call.startedAt), now)}</span>
                      </div>
                    ))}
              </td>
              <td title={timestamp(run.startedAt)}>{ago(run.startedAt, now)}</td>
              <td title={timestamp(run.lastHeartbeatAt)}>{ago(run.lastHeartbeatAt, now)}</td>
              <td>
                <RowAction
                  shown={canStop(principal) && run.status !== 'ended'}
                  className="button-danger-small"
                  onClick={() => setKilling(run)}
                >
                  Stop run
                </RowAction>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <ApprovalsSection />
      {killing !== undefined ? (
        <ReasonDialog
          title={`Stop run ${killing.id}`}
          confirmLabel="Stop this run"
          danger
          onClose={() => setKilling(undefined)}
          action={async (reason) => {
            const answer = await api.post<{ rule: Rule; version: number }>(pathTo(ROUTES.killRun, { id: killing.id }), {
              reason,
            });
            return <Convergence rule={answer.body.rule} version={answer.body.version} />;
          }}
        >
          <p>A full stop on this run alone, cancelling its calls in flight.</p>
        </ReasonDialog>
      ) : null}
    </div>
  );
}
