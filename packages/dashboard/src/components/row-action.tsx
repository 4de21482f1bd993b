import type { ReactNode } from 'react';

/** A table row's action button, shown only when `shown` (the principal may take the action). */
export function RowAction(props: { shown: boolean; className: string; onClick: () => void; children: ReactNode }) {
  if (!props.shown) return null;
  return (
    <button type="button" className={props.className} onClick={props.onClick}>
      {props.children}
    </button>
  );
}
