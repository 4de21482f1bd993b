import { ROUTES, pathTo } from '@estop/client';
import { getAll } from '../api/client.js';
import type { SentinelSpec } from '../api/types.js';
import { DataTable } from '../components/data-table.js';
import { ErrorNote } from '../components/error-note.js';
import { modeLabel } from '../components/format.js';
import { useResource } from '../components/use-resource.js';

/** A duration in the units a config file uses: `90s`, `10m`, `2h`. */
function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** The configured sentinels: what stops a scope on its own, and how; their trips are rules above. */
export function SentinelsSection() {
  const sentinels = useResource([], (client) =>
    getAll<{ sentinels: SentinelSpec[] }>(client, pathTo(ROUTES.listSentinels), 'sentinels'),
  );
  const list = sentinels.data?.sentinels ?? [];
  return (
    <section aria-labelledby="sentinels">
      <h2 id="sentinels">Sentinels</h2>
      <ErrorNote error={sentinels.error} />
      {sentinels.data !== undefined && list.length === 0 ? (
        <p className="muted">None configured: nothing stops on its own (see docs/sentinel.md).</p>
      ) : null}
      {list.length > 0 ? (
        <DataTable headings={['Name', 'Trips on', 'Within', 'Stops', 'Mode', 'Lifts itself']} testId="sentinels-table">
          {list.map((sentinel) => (
            <tr key={sentinel.name}>
              <td>
                <code>sentinel:{sentinel.name}</code>
              </td>
              <td>
                {sentinel.signal === 'spend'
                  ? `$${sentinel.threshold} spent`
                  : `${sentinel.threshold} ${sentinel.signal}${sentinel.tool === undefined ? '' : ` of ${sentinel.tool}`}`}
              </td>
              <td>{duration(sentinel.windowMs)}</td>
              <td>
                the {sentinel.per}
                {sentinel.tool === undefined ? '' : `'s ${sentinel.tool}`}
              </td>
              <td>
                <span className={`badge mode-${sentinel.mode}`}>{modeLabel(sentinel.mode)}</span>
              </td>
              <td>{sentinel.expiresInMs === undefined ? 'no' : `after ${duration(sentinel.expiresInMs)}`}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}
