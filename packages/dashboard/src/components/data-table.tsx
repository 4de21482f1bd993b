import type { ReactNode } from 'react';

/** The heading of a column of buttons: read out to screen readers, not shown. */
export const ACTIONS = '';

/**
 * A table of rows under column headings, scrolling within its frame on a narrow screen. Pass
 * the rows as children (`<tr>`s); a heading of `ACTIONS` names a column of buttons.
 */
export function DataTable(props: {
  headings: readonly string[];
  testId?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table data-testid={props.testId} className={props.className}>
        <thead>
          <tr>
            {props.headings.map((heading) => (
              <th scope="col" key={heading}>
                {heading === ACTIONS ? <span className="visually-hidden">Actions</span> : heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
