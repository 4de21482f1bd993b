import type { SentinelView } from '../api/types.js';
import { DataTable } from '../components/data-table.js';
import { ErrorNote } from '../components/error-note.js';
import { describeScope, modeLabel } from '../components/format.js';
import { causeWindowText, crossingsText, peakText, windowText } from '../components/sentinel-text.js';
import type { Resource } from '../components/use-resource.js';

/** Enforcing, or in shadow: a sentinel in shadow counts and records, and stops nothing. */
function EnforceBadge(props: { sentinel: SentinelView }) {
  return props.sentinel.enforce === false ? (
    <span className="badge badge-shadow" data-testid="shadow-badge">
      shadow — stops nothing
    </span>
  ) : (
    <span className="badge badge-enforcing">enforcing</span>
  );
}

/**
 * The configured sentinels: what stops a scope on its own, and how, enforcing or in shadow, with
 * the peak their windows reached against the threshold; then their trips standing now and
 * whether each one's cause continues (lifting it then needs force).
 */
export function SentinelsSection(props: { sentinels: Resource<{ sentinels: SentinelView[] }> }) {
  const { sentinels } = props;
  const list = sentinels.data?.sentinels ?? [];
  const standing = list.flatMap((sentinel) => (sentinel.trips ?? []).map((trip) => ({ sentinel, trip })));
  return (
    <section aria-labelledby="sentinels">
      <h2 id="sentinels">Sentinels</h2>
      <ErrorNote error={sentinels.error} />
      {sentinels.data !== undefined && list.length === 0 ? (
        <p className="muted">None configured: nothing stops on its own (see docs/sentinel.md).</p>
      ) : null}
      {list.length > 0 ? (
        <DataTable
          headings={['Name', 'Enforces', 'Trips on', 'Within', 'Stops', 'Mode', 'Lifts itself', 'Seen', 'Trips']}
          testId="sentinels-table"
        >
          {list.map((sentinel) => (
            <tr key={sentinel.name} data-sentinel={sentinel.name}>
              <td>
                <code>sentinel:{sentinel.name}</code>
              </td>
              <td>
                <EnforceBadge sentinel={sentinel} />
              </td>
              <td>
                {sentinel.signal === 'spend'
                  ? `$${sentinel.threshold} spent`
                  : `${sentinel.threshold} ${sentinel.signal}${sentinel.tool === undefined ? '' : ` of ${sentinel.tool}`}`}
              </td>
              <td>{windowText(sentinel.windowMs)}</td>
              <td>
                the {sentinel.per}
                {sentinel.tool === undefined ? '' : `'s ${sentinel.tool}`}
              </td>
              <td>
                <span className={`badge mode-${sentinel.mode}`}>{modeLabel(sentinel.mode)}</span>
              </td>
              <td>{sentinel.expiresInMs === undefined ? 'no' : `after ${windowText(sentinel.expiresInMs)}`}</td>
              <td>{peakText(sentinel) ?? '—'}</td>
              <td>{crossingsText(sentinel) ?? '—'}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {list.length > 0 ? (
        <p className="hint">Peaks and trips as this control plane saw them since it started.</p>
      ) : null}
      {standing.length > 0 ? (
        <>
          <h3 id="standing-trips">Standing trips</h3>
          <DataTable headings={['Rule', 'Sentinel', 'Scope', 'Cause']} testId="standing-trips">
            {standing.map(({ sentinel, trip }) => (
              <tr key={trip.ruleId} data-rule={trip.ruleId}>
                <td>
                  <code>{trip.ruleId}</code>
                </td>
                <td>
                  <code>sentinel:{sentinel.name}</code>
                </td>
                <td>
                  <code>{describeScope(trip.scope)}</code>
                </td>
                <td className={trip.cause.hot ? 'text-warn' : undefined}>
                  {trip.cause.hot
                    ? `continues (${causeWindowText(trip.cause, sentinel.signal)}): lifting needs force`
                    : `over (${causeWindowText(trip.cause, sentinel.signal)})`}
                </td>
              </tr>
            ))}
          </DataTable>
        </>
      ) : null}
    </section>
  );
}
