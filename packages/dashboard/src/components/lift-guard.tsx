import { useId } from 'react';
import { problemField, statusOf } from '../api/client.js';
import type { SentinelView } from '../api/types.js';
import { causeWindowText, liftGuardText, type TripCause } from './sentinel-text.js';

/** A sentinel's trip as the sentinel list shows it, with the sentinel that made it. */
export interface ListedTrip {
  cause: TripCause;
  sentinel: SentinelView;
}

/** The cause a 409 `cause_continues` refusal carries, or undefined for any other error. */
function refusedCause(error: unknown): Omit<TripCause, 'hot'> | undefined {
  if (statusOf(error) !== 409 || (error as { code?: unknown }).code !== 'cause_continues') return undefined;
  const [sentinel, count, threshold, windowMs] = ['sentinel', 'count', 'threshold', 'windowMs'].map((field) =>
    problemField(error, field),
  );
  if (typeof sentinel !== 'string' || typeof count !== 'number' || typeof threshold !== 'number') return undefined;
  if (typeof windowMs !== 'number') return undefined;
  return { sentinel, count, threshold, windowMs };
}

/**
 * A `cause_continues` refusal in words, with its count and threshold (never a generic error), or
 * undefined for any other error.
 */
export function causeRefusal(error: unknown, signal?: SentinelView['signal']): Error | undefined {
  const cause = refusedCause(error);
  if (cause === undefined) return undefined;
  return new Error(
    `Refused (cause_continues): ${liftGuardText(cause, signal)}. Tick “Force the lift” to lift it anyway.`,
  );
}

/**
 * What a lift dialog says of a sentinel's trip before anything is pressed: that its cause
 * continues (lifting needs force), that it is over, or, for a rule by `sentinel:<name>` that the
 * list does not show, that force may be needed.
 */
export function LiftGuardNote(props: { trip: ListedTrip | undefined; sentinel: string | undefined }) {
  const { trip } = props;
  if (trip !== undefined && trip.cause.hot) {
    return (
      <p className="status-warn" data-testid="lift-guard">
        {liftGuardText(trip.cause, trip.sentinel.signal)}.
      </p>
    );
  }
  if (trip !== undefined) {
    return (
      <p className="hint" data-testid="lift-guard">
        Sentinel {trip.cause.sentinel}'s cause is over ({causeWindowText(trip.cause, trip.sentinel.signal)}).
      </p>
    );
  }
  if (props.sentinel === undefined) return null;
  return (
    <p className="hint" data-testid="lift-guard">
      Sentinel {props.sentinel} made this rule: while its window still holds its threshold, lifting needs force and a
      reason.
    </p>
  );
}

/** The box that sends `force: true`: lift a sentinel's trip although its cause continues. */
export function ForceLift(props: { checked: boolean; onChange: (checked: boolean) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={props.checked}
          onChange={(event) => props.onChange(event.target.checked)}
        />{' '}
        Force the lift although the cause continues (recorded in the audit log)
      </label>
    </div>
  );
}
