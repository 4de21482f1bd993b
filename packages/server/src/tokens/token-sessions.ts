import type { ServerResponse } from 'node:http';
import type { TokenStore } from '@estop/core';
import type { Principal } from './principal.js';

/**
 * The long-lived responses (`/v1/stream`, `/v1/events`) each token holds open, so that revoking
 * a token ends them: at once on the replica that revoked it, and within a sweep elsewhere.
 */
export class TokenSessions {
  readonly #byToken = new Map<string, Set<ServerResponse>>();

  /** Counts `response` as held by the principal's token until it closes. */
  hold(principal: Principal, response: ServerResponse): void {
    let held = this.#byToken.get(principal.id);
    if (held === undefined) {
      held = new Set();
      this.#byToken.set(principal.id, held);
    }
    held.add(response);
    const release = () => {
      held.delete(response);
      if (held.size === 0 && this.#byToken.get(principal.id) === held) this.#byToken.delete(principal.id);
    };
    response.once('close', release);
    response.once('error', release);
  }

  /** Ends every response the token holds; returns how many. */
  end(tokenId: string): number {
    const held = this.#byToken.get(tokenId);
    if (held === undefined) return 0;
    this.#byToken.delete(tokenId);
    for (const response of held) response.end();
    return held.size;
  }

  /** The tokens holding at least one response. */
  tokens(): string[] {
    return [...this.#byToken.keys()];
  }
}

/**
 * Every `intervalMs`, while any token holds a stream, looks in the store for tokens revoked by
 * any replica and ends their streams (and forgets them in `forget`). Revocations on this replica
 * end streams at once; this catches the others', within `intervalMs` plus one store read.
 */
export function watchRevocations(options: {
  tokens: TokenStore;
  sessions: TokenSessions;
  intervalMs: number;
  forget: (tokenId: string) => void;
  onError: (error: unknown) => void;
}): { close(): void } {
  let running = false;
  const timer = setInterval(() => {
    const held = options.sessions.tokens();
    if (running || held.length === 0) return;
    running = true;
    options.tokens
      .list()
      .then((records) => {
        const revoked = new Set(records.filter((record) => record.revokedAt !== undefined).map((record) => record.id));
        for (const tokenId of held) {
          if (!revoked.has(tokenId)) continue;
          options.forget(tokenId);
          options.sessions.end(tokenId);
        }
      })
      .catch(options.onError)
      .finally(() => (running = false));
  }, options.intervalMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
