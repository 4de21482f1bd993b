import { useLiveState } from './session.js';
import { useNow } from './use-now.js';
import { age } from './format.js';

/**
 * Says, prominently, when the page is not current: a lost stream is never shown as "all clear".
 * Announced to screen readers as an alert.
 */
export function ConnectionBanner() {
  const state = useLiveState();
  const now = useNow(1000);
  if (state.status === 'live') return null;
  if (state.status === 'connecting') {
    return (
      <div className="banner banner-wait" role="status">
        Connecting to the control plane… nothing shown yet is current.
      </div>
    );
  }
  return (
    <div className="banner banner-lost" role="alert" data-testid="connection-lost">
      <strong>Connection to the control plane lost</strong>
      {state.lostSince !== undefined ? ` ${age(state.lostSince, now)} ago` : ''}. What this page shows is{' '}
      <strong>not current</strong> and may be wrong: stops made elsewhere are not shown. Reconnecting…
      {state.problem !== undefined ? <span className="banner-detail"> ({state.problem})</span> : null}
    </div>
  );
}
