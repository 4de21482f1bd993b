import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/** One request being served: `signal` is aborted if its client goes away; call `done` once it is answered. */
export interface WatchedRequest {
  readonly signal: AbortSignal;
  done(): void;
}

/**
 * Which clients of one MCP session went away before their answers: a client that closed the
 * connection carrying a request (`abandon`), or the whole session ending (`leaveAll`). This is
 * not the client asking to cancel (`notifications/cancelled`): a client that went away can no
 * longer hear the answer, so a read is cancelled upstream, but a write runs to its end and its
 * result is kept for the client's retry.
 */
export interface McpDepartures {
  /** Starts watching `requestId`. */
  watch(requestId: RequestId): WatchedRequest;
  /** The client can no longer receive the answer to `requestId`. */
  abandon(requestId: RequestId): void;
  /** The session ended: every request's client is gone, and so is that of any request watched later. */
  leaveAll(): void;
}

const GONE = 'the MCP client went away';

/**
 * Creates the departures of one session.
 *
 * @example
 * const departures = createMcpDepartures();
 * transport.onabandon = (id) => departures.abandon(id);
 * const watched = departures.watch(extra.requestId);
 * try { await upstream.readResource(params, { signal: AbortSignal.any([extra.signal, watched.signal]) }); }
 * finally { watched.done(); }
 */
export function createMcpDepartures(): McpDepartures {
  const watching = new Map<RequestId, AbortController>();
  let everyoneLeft = false;
  return {
    watch(requestId) {
      const controller = new AbortController();
      if (everyoneLeft) controller.abort(GONE);
      else watching.set(requestId, controller);
      return {
        signal: controller.signal,
        done() {
          if (watching.get(requestId) === controller) watching.delete(requestId);
        },
      };
    },
    abandon(requestId) {
      watching.get(requestId)?.abort(GONE);
    },
    leaveAll() {
      everyoneLeft = true;
      const left = [...watching.values()];
      watching.clear();
      for (const controller of left) controller.abort(GONE);
    },
  };
}
