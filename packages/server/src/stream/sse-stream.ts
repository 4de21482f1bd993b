import type { ServerResponse } from 'node:http';
import { sseFrame } from '@estop/client';
import type { ChangeEvent, StateSnapshot, StreamResume } from '@estop/core';
import type { ChangeHub } from './change-hub.js';
import type { StateHistory } from './state-history.js';
import { planStreamStart, type StreamStart } from './stream-start.js';
import type { ViewFreshness } from './view-freshness.js';
import { canSee, type Principal } from '../tokens/principal.js';

function frame(event: string, data: unknown, id?: number): string {
  return sseFrame({ event, data, id });
}

// Every unfiltered stream sends the same bytes for a change; serialize it once, not per stream.
const changeFrames = new WeakMap<ChangeEvent, string>();

function changeFrame(event: ChangeEvent): string {
  let text = changeFrames.get(event);
  if (text === undefined) {
    text = frame('change', event, event.version);
    changeFrames.set(event, text);
  }
  return text;
}

function visible(principal: Principal, snapshot: StateSnapshot): StateSnapshot {
  if (principal.tenant === undefined) return snapshot;
  return { ...snapshot, rules: snapshot.rules.filter((rule) => canSee(principal, rule.scope)) };
}

function visibleEvent(principal: Principal, event: ChangeEvent, before: StateSnapshot): ChangeEvent {
  if (principal.tenant === undefined) return event;
  // Versions stay contiguous for every client; a tenant's client just sees empty changes
  // where the change was about someone else.
  const known = new Set(before.rules.filter((rule) => canSee(principal, rule.scope)).map((rule) => rule.id));
  const changes = event.changes.filter((change) =>
    change.type === 'rule-created' ? canSee(principal, change.rule.scope) : known.has(change.lift.ruleId),
  );
  return { ...event, changes };
}

/** Starts a server-sent-event response on a raw Node response: headers sent, no buffering. */
export function startEventStream(response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.socket?.setNoDelay(true);
}

/** What serves one state stream. */
interface StateStreamOptions {
  response: ServerResponse;
  hub: ChangeHub;
  history: StateHistory;
  principal: Principal;
  keepAliveMs: number;
  resumeFrom?: number | undefined;
  view?: Pick<ViewFreshness, 'isCurrent' | 'failing' | 'onLost' | 'whenCurrent'> | undefined;
  onClose: () => void;
}

/**
 * Serves the state stream on a raw Node response: a snapshot first, or, for a client that holds
 * a version (`resumeFrom`, its `Last-Event-ID`), a resume and the changes it misses (see
 * `planStreamStart`); then every change in version order, and a keep-alive whenever the stream
 * has been quiet for `keepAliveMs`. Writing to the socket directly keeps fan-out to thousands of
 * enforcers cheap. With `view`, the stream sends no keep-alive while this replica cannot vouch
 * that its view of the store is current (a keep-alive naming a version would keep the enforcer
 * fresh on a state that may be behind), and it ends, sending the enforcer to another replica,
 * unless the view was lost to failing reads: the store's outage, which other replicas likely
 * share. A stream opened meanwhile is held, silent, until a read makes the view current again.
 * Through an outage of the store its enforcers stay connected (and counted), and move on by
 * themselves past their staleness bound.
 */
export function serveStateStream(options: StateStreamOptions): void {
  const { response, view } = options;
  // The stream lasts as long as the connection, so it needs no chunked framing: each event is
  // then one plain write to the socket, which is what fan-out to thousands of streams costs.
  response.useChunkedEncodingByDefault = false;
  startEventStream(response);
  let closed = false;
  let stop: (() => void) | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    stop?.();
    options.onClose();
  };
  response.on('close', close);
  response.on('error', close);
  // A client that went away while the request was being authorized has closed the response
  // already, and 'close' is not emitted again: without this, its enforcer would count as
  // connected here for good, holding every enforcement answer short of complete.
  if (response.destroyed) {
    close();
    return;
  }
  const isClosed = () => closed;
  if (view === undefined || view.isCurrent()) {
    stop = followState(options, isClosed);
    return;
  }
  // The headers, so that the client knows it is connected; the first event waits for the view.
  response.flushHeaders();
  stop = view.whenCurrent(() => {
    if (!closed) stop = followState(options, isClosed);
  });
}

/** Starts the stream and follows the hub; returns what stops it. */
function followState(options: StateStreamOptions, isClosed: () => boolean): () => void {
  const { response, hub, principal, keepAliveMs } = options;
  const base = hub.snapshot();
  // The hub's state after the last change heard, which a tenant's view of the next one needs.
  let previous = base;
  // The version the client holds once it has applied what was written.
  let streamVersion = base.version;
  // Changes heard while the start is being worked out, sent once it is written.
  let held: Array<[ChangeEvent, StateSnapshot]> | undefined;
  let lastWrite = Date.now();

  const send = (event: ChangeEvent, snapshot: StateSnapshot): void => {
    // A client ahead of this replica already has the versions the hub is catching up on.
    if (event.version > streamVersion) {
      response.write(
        principal.tenant === undefined
          ? changeFrame(event)
          : frame('change', visibleEvent(principal, event, previous), event.version),
      );
      streamVersion = event.version;
      lastWrite = Date.now();
    }
    previous = snapshot;
  };
  const sendSnapshot = (): void => {
    const snapshot = hub.snapshot();
    response.write(frame('snapshot', visible(principal, snapshot), snapshot.version));
    previous = snapshot;
    streamVersion = snapshot.version;
    lastWrite = Date.now();
  };
  const sendKeepAlive = (): void => {
    response.write(frame('keepalive', { version: streamVersion, at: new Date().toISOString() }));
    lastWrite = Date.now();
  };
  // A resume and the changes after it, then a keep-alive: the client counts its state fresh
  // again only once it has every change this replica has.
  const sendResume = (version: number, changes: ChangeEvent[]): void => {
    const { tools, storeId } = hub.snapshot();
    const resume: StreamResume = storeId === undefined ? { version, tools } : { version, tools, storeId };
    response.write(frame('resume', resume, version));
    streamVersion = version;
    for (const change of changes) {
      response.write(frame('change', change, change.version));
      streamVersion = change.version;
    }
    lastWrite = Date.now();
  };

  const unsubscribe = hub.subscribe((event, snapshot) => {
    if (held !== undefined) held.push([event, snapshot]);
    else send(event, snapshot);
  });
  const { resumeFrom } = options;
  if (resumeFrom === undefined) sendSnapshot();
  else if (resumeFrom === base.version) {
    sendResume(resumeFrom, []);
    sendKeepAlive();
  } else {
    // Reading the store takes a moment: changes meanwhile are held, then sent after the start.
    const waiting: Array<[ChangeEvent, StateSnapshot]> = [];
    held = waiting;
    void planStreamStart({ resumeFrom, base, history: options.history, principal })
      // A store that cannot answer now still leaves a snapshot, which is always right.
      .catch((): StreamStart => ({ kind: 'snapshot' }))
      .then((start) => {
        held = undefined;
        if (isClosed()) return;
        if (start.kind === 'snapshot') {
          // The hub's state already holds every change heard meanwhile.
          sendSnapshot();
          return;
        }
        sendResume(start.version, start.changes);
        for (const [event, snapshot] of waiting) send(event, snapshot);
        sendKeepAlive();
      });
  }

  const { view } = options;
  const timer = setInterval(
    () => {
      if (view !== undefined && !view.isCurrent()) {
        if (!view.failing) response.end();
        return;
      }
      if (held !== undefined || Date.now() - lastWrite < keepAliveMs - 5) return;
      sendKeepAlive();
    },
    Math.max(10, Math.floor(keepAliveMs / 2)),
  );
  timer.unref();
  const stopWatching = view?.onLost(() => {
    if (!view.failing) response.end();
  });

  return () => {
    clearInterval(timer);
    unsubscribe();
    stopWatching?.();
  };
}
