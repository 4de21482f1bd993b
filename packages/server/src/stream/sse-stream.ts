import type { ServerResponse } from 'node:http';
import { sseFrame } from '@estop/client';
import type { ChangeEvent, StateSnapshot } from '@estop/core';
import type { ChangeHub } from './change-hub.js';
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

/**
 * Serves the state stream on a raw Node response: a snapshot first, then every change in
 * version order, and a keep-alive whenever the stream has been quiet for `keepAliveMs`.
 * Writing to the socket directly keeps fan-out to thousands of enforcers cheap.
 */
export function serveStateStream(options: {
  response: ServerResponse;
  hub: ChangeHub;
  principal: Principal;
  keepAliveMs: number;
  onClose: () => void;
}): void {
  const { response, hub, principal, keepAliveMs } = options;
  // The stream lasts as long as the connection, so it needs no chunked framing: each event is
  // then one plain write to the socket, which is what fan-out to thousands of streams costs.
  response.useChunkedEncodingByDefault = false;
  startEventStream(response);
  let previous = hub.snapshot();
  response.write(frame('snapshot', visible(principal, previous)));
  let lastWrite = Date.now();

  const unsubscribe = hub.subscribe((event, snapshot) => {
    response.write(
      principal.tenant === undefined
        ? changeFrame(event)
        : frame('change', visibleEvent(principal, event, previous), event.version),
    );
    previous = snapshot;
    lastWrite = Date.now();
  });
  const timer = setInterval(
    () => {
      if (Date.now() - lastWrite < keepAliveMs - 5) return;
      response.write(frame('keepalive', { version: hub.snapshot().version, at: new Date().toISOString() }));
      lastWrite = Date.now();
    },
    Math.max(10, Math.floor(keepAliveMs / 2)),
  );
  timer.unref();

  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    unsubscribe();
    options.onClose();
  };
  response.on('close', close);
  response.on('error', close);
}
