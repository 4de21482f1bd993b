import { useState } from 'react';
import { ROUTES, pathTo } from '@estop/client';
import { getAll, statusOf } from '../api/client.js';
import type { ApprovalView } from '../api/types.js';
import { ErrorNote } from '../components/error-note.js';
import { actorLabel, ago, timestamp, until } from '../components/format.js';
import { canStop } from '../components/permissions.js';
import { ReasonDialog } from '../components/reason-dialog.js';
import { useSession } from '../components/session.js';
import { useNow } from '../components/use-now.js';
import { useResource } from '../components/use-resource.js';

/** What an operator may decide about an approval: each decision's button. */
const DECISIONS = [
  { approve: true, className: 'button-primary', label: 'Approve…' },
  { approve: false, className: 'button-danger-small', label: 'Deny…' },
] as const;

/** Writes waiting under `approval_gated`: the exact call, and approve or deny with a reason. */
export function ApprovalsSection() {
  const { api, principal } = useSession();
  const now = useNow();
  const approvals = useResource(['approvals'], (client) =>
    getAll<{ approvals: ApprovalView[] }>(client, pathTo(ROUTES.listApprovals, {}, { status: 'pending' }), 'approvals'),
  );
  const [deciding, setDeciding] = useState<{ approval: ApprovalView; approve: boolean } | undefined>();

  // A control plane without approvals answers 404: then there is nothing to show here.
  if (statusOf(approvals.error) === 404) return null;
  const list = approvals.data?.approvals ?? [];

  return (
    <section aria-labelledby="approvals-title" data-testid="approvals">
      <h2 id="approvals-title">Pending approvals</h2>
      <ErrorNote error={approvals.error} />
      {approvals.data !== undefined && list.length === 0 ? (
        <p className="muted">No call is waiting for approval.</p>
      ) : null}
      <ul className="cards">
        {list.map((approval) => (
          <li key={approval.id} className="card approval">
            <p>
              <code className="tool">{approval.call.tool}</code> for tenant <strong>{approval.call.tenant}</strong>
              {approval.call.agent !== undefined ? <>, agent {approval.call.agent}</> : null}
              {approval.call.run !== undefined ? (
                <>
                  , run <code>{approval.call.run}</code>
                </>
              ) : null}
            </p>
            <pre className="args" aria-label="Arguments">
              {JSON.stringify(approval.call.args, null, 2)}
            </pre>
            <p className="muted small">
              Requested by {actorLabel(approval.requestedBy)}{' '}
              <span title={timestamp(approval.at)}>{ago(approval.at, now)}</span>; denied unless decided{' '}
              <span title={timestamp(approval.expiresAt)}>{until(approval.expiresAt, now)}</span>.
            </p>
            {canStop(principal) ? (
              <div className="actions">
                {DECISIONS.map(({ approve, className, label }) => (
                  <button
                    key={label}
                    type="button"
                    className={className}
                    onClick={() => setDeciding({ approval, approve })}
                  >
                    {label}
                  </button>
                ))}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {deciding !== undefined ? (
        <ReasonDialog
          title={`${deciding.approve ? 'Approve' : 'Deny'} ${deciding.approval.call.tool}`}
          confirmLabel={deciding.approve ? 'Approve this call' : 'Deny this call'}
          danger={!deciding.approve}
          onClose={() => setDeciding(undefined)}
          action={async (reason) => {
            const answer = await api.post<ApprovalView>(
              pathTo(deciding.approve ? ROUTES.approve : ROUTES.deny, { id: deciding.approval.id }),
              { reason },
            );
            return <p className="status-ok">The call is {answer.body.status}.</p>;
          }}
        >
          <pre className="args">{JSON.stringify(deciding.approval.call.args, null, 2)}</pre>
          <p className="hint">The decision holds for this exact call (same tool and arguments), once.</p>
        </ReasonDialog>
      ) : null}
    </section>
  );
}
