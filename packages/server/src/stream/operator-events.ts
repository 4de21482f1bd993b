import type { EventTopic } from '@estop/client';

/** What an operator's view may need to fetch again: a topic of `GET /v1/events`, as the protocol names them. */
export type OperatorTopic = EventTopic;

/** A listener for changed topics. */
export type OperatorListener = (topic: OperatorTopic) => void;

/**
 * Tells operator views (the dashboard, through `GET /v1/events`) that something changed, so
 * they fetch it again instead of polling. Each topic is announced at most once per `throttleMs`
 * (acknowledgements from thousands of enforcers become one notice), and never dropped: a change
 * inside the throttle window is announced at its end.
 */
export class OperatorEvents {
  readonly #listeners = new Set<OperatorListener>();
  readonly #lastSentMs = new Map<OperatorTopic, number>();
  readonly #scheduled = new Map<OperatorTopic, ReturnType<typeof setTimeout>>();
  readonly #throttleMs: number;

  constructor(throttleMs = 200) {
    this.#throttleMs = throttleMs;
  }

  /** Announces that `topic` changed. */
  notify(topic: OperatorTopic): void {
    if (this.#listeners.size === 0 || this.#scheduled.has(topic)) return;
    const waitMs = (this.#lastSentMs.get(topic) ?? -Infinity) + this.#throttleMs - Date.now();
    if (waitMs <= 0) {
      this.#send(topic);
      return;
    }
    const timer = setTimeout(() => {
      this.#scheduled.delete(topic);
      this.#send(topic);
    }, waitMs);
    timer.unref();
    this.#scheduled.set(topic, timer);
  }

  /** Calls `listener` for each announced topic; returns the unsubscribe function. */
  subscribe(listener: OperatorListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops pending announcements. */
  close(): void {
    for (const timer of this.#scheduled.values()) clearTimeout(timer);
    this.#scheduled.clear();
    this.#listeners.clear();
  }

  #send(topic: OperatorTopic): void {
    this.#lastSentMs.set(topic, Date.now());
    for (const listener of this.#listeners) listener(topic);
  }
}
