import { ROUTES, pathTo } from '@estop/client';
import { statusOf, type Api } from './client.js';
import { readSse, type SseEvent } from './sse.js';
import { TOPICS, type ChangeEvent, type StateSnapshot, type Topic } from './types.js';

/** Whether what the page shows is current: `lost` means it may not be, whatever it says. */
export type ConnectionStatus = 'connecting' | 'live' | 'lost';

/** What the live connection knows: the state (rules, version) and how current it is. */
export interface LiveState {
  status: ConnectionStatus;
  /** When the connection was lost (ms since the epoch), while it is. */
  lostSince?: number | undefined;
  /** Why, in words, while it is lost. */
  problem?: string | undefined;
  /** The latest state from `GET /v1/stream`; kept while lost, but then not current. */
  snapshot?: StateSnapshot | undefined;
  /** A 401 on a stream: the token was revoked or never valid. */
  unauthorized: boolean;
}

type StreamName = 'state' | 'events';

/** Options, mostly for tests of the connection itself. */
export interface LiveOptions {
  /** Silence (no event, not even a keep-alive) after which a stream counts as lost. Default 15000. */
  staleAfterMs?: number;
  /** Reconnect delays double from this up to 5 s. Default 500. */
  retryMs?: number;
}

/**
 * Follows the control plane's two streams: `GET /v1/stream` (the state, applied version by
 * version) and `GET /v1/events` (which operator views to fetch again). A stream that ends,
 * errs or falls silent past its staleness bound marks the whole page lost until both are back;
 * on reconnecting, every topic is announced so views fetch what they missed.
 */
export class LiveConnection {
  #state: LiveState = { status: 'connecting', unauthorized: false };
  readonly #listeners = new Set<() => void>();
  readonly #topicListeners = new Set<(topic: Topic) => void>();
  readonly #live: Record<StreamName, boolean> = { state: false, events: false };
  readonly #heardAt: Record<StreamName, number> = { state: 0, events: 0 };
  readonly #aborts: Partial<Record<StreamName, AbortController>> = {};
  readonly #api: Api;
  readonly #staleAfterMs: number;
  readonly #retryMs: number;
  #closed = false;
  #generation = 0;
  #watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(api: Api, options: LiveOptions = {}) {
    this.#api = api;
    this.#staleAfterMs = options.staleAfterMs ?? 15_000;
    this.#retryMs = options.retryMs ?? 500;
  }

  /** Opens both streams and keeps them open until `close()`. */
  start(): void {
    this.#closed = false;
    this.#generation += 1;
    const generation = this.#generation;
    void this.#follow('state', pathTo(ROUTES.stream), generation, (event) => this.#onState(event));
    void this.#follow('events', pathTo(ROUTES.events), generation, (event) => this.#onEvent(event));
    clearInterval(this.#watchdog);
    this.#watchdog = setInterval(() => this.#checkSilence(), 1000);
  }

  close(): void {
    this.#closed = true;
    this.#generation += 1;
    clearInterval(this.#watchdog);
    for (const controller of Object.values(this.#aborts)) controller?.abort();
  }

  getState = (): LiveState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Calls `listener` with each topic the control plane says changed (and all of them on reconnect). */
  onTopic(listener: (topic: Topic) => void): () => void {
    this.#topicListeners.add(listener);
    return () => this.#topicListeners.delete(listener);
  }

  /** Views call this when a request failed to reach the control plane: the page is then not current. */
  reportUnreachable(): void {
    for (const controller of Object.values(this.#aborts)) controller?.abort();
  }

  #set(patch: Partial<LiveState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener();
  }

  #updateStatus(problem?: string): void {
    if (this.#live.state && this.#live.events) {
      if (this.#state.status !== 'live') this.#set({ status: 'live', lostSince: undefined, problem: undefined });
    } else if (problem !== undefined && this.#state.status !== 'lost') {
      this.#set({ status: 'lost', lostSince: Date.now(), problem });
    } else if (problem !== undefined) {
      this.#set({ problem });
    }
  }

  async #follow(name: StreamName, path: string, generation: number, onEvent: (event: SseEvent) => void): Promise<void> {
    let attempt = 0;
    const current = () => !this.#closed && generation === this.#generation;
    while (current()) {
      const controller = new AbortController();
      this.#aborts[name] = controller;
      let problem = 'the connection to the control plane was closed';
      try {
        const response = await this.#api.open(path, controller.signal);
        if (response.body === null) throw new Error('the stream has no body');
        this.#heardAt[name] = Date.now();
        await readSse(response.body, (event) => {
          if (!current()) return;
          this.#heardAt[name] = Date.now();
          attempt = 0;
          onEvent(event);
        });
      } catch (error) {
        const status = statusOf(error);
        if (status === 401) {
          this.#set({ unauthorized: true });
          this.close();
        }
        if (status !== undefined) problem = (error as Error).message;
        else if (controller.signal.aborted) problem = 'the control plane fell silent';
      }
      if (!current()) return;
      this.#live[name] = false;
      this.#updateStatus(problem);
      const delay = Math.min(5000, this.#retryMs * 2 ** attempt);
      attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  #checkSilence(): void {
    const now = Date.now();
    for (const name of ['state', 'events'] as const) {
      if (this.#live[name] && now - this.#heardAt[name] > this.#staleAfterMs) this.#aborts[name]?.abort();
    }
  }

  #onState(event: SseEvent): void {
    if (event.event === 'snapshot') {
      this.#live.state = true;
      this.#set({ snapshot: JSON.parse(event.data) as StateSnapshot });
      this.#updateStatus();
      return;
    }
    const snapshot = this.#state.snapshot;
    if (snapshot === undefined) return;
    if (event.event === 'change') {
      const change = JSON.parse(event.data) as ChangeEvent;
      if (change.version !== snapshot.version + 1) {
        this.#aborts.state?.abort(); // a gap: reconnect for a fresh snapshot
        return;
      }
      let rules = snapshot.rules;
      for (const item of change.changes) {
        if (item.type === 'rule-created') rules = [...rules.filter((rule) => rule.id !== item.rule.id), item.rule];
        else rules = rules.filter((rule) => rule.id !== item.lift.ruleId);
      }
      this.#set({ snapshot: { ...snapshot, version: change.version, rules } });
    } else if (event.event === 'keepalive') {
      const { version } = JSON.parse(event.data) as { version: number };
      if (version > snapshot.version) this.#aborts.state?.abort();
    }
  }

  #onEvent(event: SseEvent): void {
    if (!this.#live.events) {
      this.#live.events = true;
      this.#updateStatus();
      // Whatever changed while the stream was away: fetch everything again.
      for (const topic of TOPICS) this.#announce(topic);
    }
    if ((TOPICS as readonly string[]).includes(event.event)) this.#announce(event.event as Topic);
  }

  #announce(topic: Topic): void {
    for (const listener of this.#topicListeners) listener(topic);
  }
}
