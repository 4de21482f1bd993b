import { useState } from 'react';
import { ROUTES, pathTo } from '@estop/client';
import type { RestoreRequest, SentinelView } from '../api/types.js';
import { actorLabel, describeScope, modeLabel } from '../components/format.js';
import { ForceLift, LiftGuardNote, causeRefusal } from '../components/lift-guard.js';
import { ReasonDialog } from '../components/reason-dialog.js';
import { tripOf } from '../components/sentinel-text.js';
import { useSession } from '../components/session.js';

/**
 * Confirms another admin's restore request. For a sentinel's trip whose cause continues, asked
 * without force, it says so and offers to force the lift, which the control plane otherwise refuses.
 */
export function ConfirmRestoreDialog(props: {
  request: RestoreRequest;
  sentinels: readonly SentinelView[];
  onClose: () => void;
}) {
  const { api } = useSession();
  const confirming = props.request;
  const [force, setForce] = useState(false);
  const [refused, setRefused] = useState(false);
  const trip = tripOf(confirming.ruleId, props.sentinels);
  const offerForce = confirming.force !== true && (trip?.cause.hot === true || refused);
  return (
    <ReasonDialog
      title={`Confirm restore of ${describeScope(confirming.scope)}`}
      confirmLabel="Confirm restore"
      onClose={props.onClose}
      action={async (reason) => {
        let answer;
        try {
          answer = await api.post<{ version: number }>(pathTo(ROUTES.confirmRestoreRequest, { id: confirming.id }), {
            reason,
            ...(force && offerForce ? { force: true } : {}),
          });
        } catch (error) {
          const refusal = causeRefusal(error, trip?.sentinel.signal);
          if (refusal === undefined) throw error;
          setRefused(true);
          throw refusal;
        }
        return `Confirmed: ${confirming.to === undefined ? 'lifted' : `stepped down to ${modeLabel(confirming.to)}`} (version ${answer.body.version}).`;
      }}
    >
      <p>
        {actorLabel(confirming.requestedBy)} asked: “{confirming.reason}”.
      </p>
      {confirming.force === true ? (
        <p className="hint">Asked with force: it lifts the trip although its cause continues.</p>
      ) : (
        <LiftGuardNote trip={trip} sentinel={undefined} />
      )}
      {offerForce ? <ForceLift checked={force} onChange={setForce} /> : null}
    </ReasonDialog>
  );
}
