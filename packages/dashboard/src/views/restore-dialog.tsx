import { useId, useState } from 'react';
import { MODES, type Mode, type Rule } from '../api/types.js';
import { ROUTES, pathTo } from '@estop/client';
import { problemField } from '../api/client.js';
import { describeScope, modeLabel, timestamp } from '../components/format.js';
import { ForceLift, LiftGuardNote, causeRefusal, type ListedTrip } from '../components/lift-guard.js';
import { ReasonDialog } from '../components/reason-dialog.js';
import { trippedBy } from '../components/sentinel-text.js';
import { useSession } from '../components/session.js';

/**
 * Lifts a rule, or steps it down to a less restrictive mode (a staged restore). It offers the
 * next step down the mode ladder first (full stop → read only, …), lifting only from the lowest.
 * For a sentinel's trip whose cause continues it says so before anything is pressed and offers
 * to force the lift (`force: true`), which the control plane otherwise refuses.
 */
export function RestoreDialog(props: {
  rule: Rule;
  /** The rule's trip as the sentinel list shows it, when a sentinel made it. */
  trip?: ListedTrip | undefined;
  onClose: () => void;
}) {
  const { api } = useSession();
  const lower = MODES.slice(0, MODES.indexOf(props.rule.mode));
  const [to, setTo] = useState<Mode | ''>(lower.at(-1) ?? '');
  const [force, setForce] = useState(false);
  const [refused, setRefused] = useState(false);
  const id = useId();
  const sentinel = trippedBy(props.rule);
  const signal = props.trip?.sentinel.signal;
  const hot = props.trip?.cause.hot === true;
  // Offered when the list says the cause continues, when a sentinel made the rule but the list does
  // not say how its window stands, and after the control plane refused a lift for its cause.
  const offerForce = sentinel !== undefined && (hot || props.trip === undefined || refused);

  const action = async (reason: string) => {
    try {
      const answer = await api.post<{ message?: string; version?: number; replacement?: Rule }>(
        pathTo(ROUTES.liftRule, { id: props.rule.id }),
        { reason, ...(to === '' ? {} : { to }), ...(force && offerForce ? { force: true } : {}) },
      );
      if (answer.status === 202) {
        // The control plane's message already says the rule stays in force until confirmed.
        return `Restore requested: ${answer.body.message ?? 'the rule stays in force until a second admin confirms it'}.`;
      }
      return answer.body.replacement !== undefined
        ? `Stepped down to ${modeLabel(answer.body.replacement.mode)} (version ${answer.body.version}).`
        : `Lifted${force && offerForce ? ' by force' : ''} (version ${answer.body.version}).`;
    } catch (error) {
      const refusal = causeRefusal(error, signal);
      if (refusal !== undefined) {
        setRefused(true);
        throw refusal;
      }
      const liftableAt = problemField(error, 'liftableAt');
      if (typeof liftableAt === 'string') {
        throw new Error(`${(error as Error).message}; it can be lifted from ${timestamp(liftableAt)}`);
      }
      throw error;
    }
  };

  return (
    <ReasonDialog
      title={`Restore ${describeScope(props.rule.scope)} (${modeLabel(props.rule.mode)})`}
      confirmLabel={to === '' ? 'Lift the rule' : `Step down to ${modeLabel(to)}`}
      action={action}
      onClose={props.onClose}
    >
      <p>
        Rule <code>{props.rule.id}</code>: “{props.rule.reason}”.
      </p>
      <div className="field">
        <label htmlFor={id}>Restore to</label>
        <select id={id} value={to} onChange={(event) => setTo(event.target.value as Mode | '')}>
          <option value="">normal (lift the rule)</option>
          {lower
            .slice()
            .reverse()
            .map((mode) => (
              <option key={mode} value={mode}>
                {modeLabel(mode)} (staged restore)
              </option>
            ))}
        </select>
        <p className="hint">Step down rather than jump: full stop → read only → normal.</p>
      </div>
      <LiftGuardNote trip={props.trip} sentinel={sentinel} />
      {offerForce ? <ForceLift checked={force} onChange={setForce} /> : null}
    </ReasonDialog>
  );
}
