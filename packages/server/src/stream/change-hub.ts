import { applyChange, type ChangeEvent, type Effect, type Rule, type StateSnapshot } from '@estop/core';

/** Receives each applied version, in order, with the state after it. */
export type ChangeListener = (event: ChangeEvent, snapshot: StateSnapshot) => void;

/**
 * The control plane's current state and its fan-out to stream subscribers. Commits may finish
 * out of order; events are held until every earlier version has been applied, so subscribers
 * always see versions in order and without gaps.
 */
export interface ChangeHub {
  snapshot(): StateSnapshot;
  publish(event: ChangeEvent): void;
  subscribe(listener: ChangeListener): () => void;
}

/** A hub starting from the store's state (and identity, sent with every snapshot) and the configured tool effects. */
export function createChangeHub(
  initial: { version: number; rules: Rule[]; storeId?: string | undefined },
  tools: Record<string, Effect>,
): ChangeHub {
  let current: StateSnapshot = { version: initial.version, rules: initial.rules, tools };
  if (initial.storeId) current.storeId = initial.storeId;
  const pending = new Map<number, ChangeEvent>();
  const listeners = new Set<ChangeListener>();

  return {
    snapshot: () => current,
    publish(event) {
      if (event.version <= current.version) return;
      pending.set(event.version, event);
      for (let next = pending.get(current.version + 1); next !== undefined; next = pending.get(current.version + 1)) {
        pending.delete(next.version);
        current = applyChange(current, next) as StateSnapshot;
        for (const listener of listeners) listener(next, current);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
