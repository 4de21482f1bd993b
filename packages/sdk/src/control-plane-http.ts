import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { decodeProblem } from '@estop/client';
import { EstopError, isEstopError } from '@estop/core';

// Short requests (register, acknowledge) share keep-alive connections across every guard in
// the process. Streams each get a connection of their own (`agent: false`), so an
// acknowledgement never waits behind, or scans past, thousands of open streams.
const AGENTS = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 32 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 32 }),
};

/** How long a short request (not a stream) may take, connecting included, unless told otherwise. */
export const SHORT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Whether a failure was the replica's (unreachable, or a 5xx answer) rather than the request's:
 * another replica may then answer it.
 */
export function isReplicaFailure(error: unknown): boolean {
  if (!isEstopError(error)) return false;
  const status = (error.details as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status >= 500 : error.code === 'unavailable';
}

/**
 * One HTTP request to a control-plane replica, with the token's `authorization`. A short request
 * is pooled and times out; a stream (`stream: true`) gets a connection of its own. A kept-alive
 * connection that the server closed just as it was reused is retried once, on a fresh connection.
 * Rejects with `signal`'s reason on an abort, else with an `unavailable` EstopError.
 */
export function request(
  replica: URL,
  authorization: string,
  options: {
    path: string;
    action: string;
    signal: AbortSignal;
    method: string;
    body?: string | undefined;
    stream?: boolean | undefined;
    timeoutMs?: number | undefined;
    headers?: Record<string, string> | undefined;
  },
): Promise<IncomingMessage> {
  const { action, signal, method, body, stream = false, timeoutMs = SHORT_REQUEST_TIMEOUT_MS } = options;
  // Relative to the base URL, so that a control plane served under a path prefix is reached.
  const url = new URL(options.path.replace(/^\//, ''), replica);
  const headers: Record<string, string> = { ...options.headers, authorization };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  if (stream) headers.accept = 'text/event-stream';
  const transport = url.protocol === 'https:' ? https : http;
  const pooled = stream ? false : AGENTS[url.protocol as 'http:' | 'https:'];
  const attempt = (agent: http.Agent | false, retry: boolean): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const outgoing = transport.request(url, { method, headers, agent, signal }, resolve);
      outgoing.setNoDelay(true);
      // A stream stays open for as long as the guard lives; a short request must not hang.
      if (!stream) outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error('timed out')));
      outgoing.once('error', (error: NodeJS.ErrnoException) => {
        if (signal.aborted) reject(signal.reason);
        // A kept-alive connection the server closed just as it was reused: nothing was answered,
        // and the server, closing an idle connection, had not read the request. Once more, on a
        // connection of its own, before it counts as a failure.
        else if (retry && outgoing.reusedSocket && STALE_SOCKET_CODES.has(error.code ?? '')) {
          attempt(false, false).then(resolve, reject);
        } else
          reject(
            new EstopError({
              code: 'unavailable',
              message: `cannot reach the control plane at ${replica.origin} to ${action}: ${error.message}`,
              cause: error,
            }),
          );
      });
      outgoing.end(body);
    });
  return attempt(pooled, pooled !== false);
}

/** How a reused connection that the server had already closed fails. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** Whether the answer is a 2xx. */
export function ok(response: IncomingMessage): boolean {
  const status = response.statusCode ?? 0;
  return status >= 200 && status < 300;
}

/** The answer's body as text (what came, if the connection breaks). */
export function readText(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    response.once('end', () => resolve(text));
    response.once('error', () => resolve(text));
    response.once('close', () => resolve(text));
  });
}

/** The EstopError for an answer that is not a 2xx: the problem's code, and a hint for a refused token. */
export async function errorFrom(response: IncomingMessage, action: string): Promise<EstopError> {
  const status = response.statusCode ?? 0;
  const problem = decodeProblem(status, await readText(response));
  const code = problem.code;
  const detail = problem.detail ?? problem.title ?? '';
  const hint =
    code === 'unauthorized'
      ? ' (the token is missing, unknown or revoked)'
      : code === 'forbidden'
        ? ' (the token needs the enforcer or admin role)'
        : '';
  return new EstopError({
    code,
    message: `the control plane refused to ${action}: ${status}${hint}${detail === '' ? '' : `: ${detail}`}`,
    details: { status },
  });
}

/** Reads the answer's body away, so that its keep-alive connection is reused. */
export async function discard(response: IncomingMessage): Promise<void> {
  // The body must be consumed for the keep-alive connection to be reused.
  response.resume();
  await new Promise<void>((resolve) => {
    if (response.complete) resolve();
    else {
      response.once('end', () => resolve());
      response.once('close', () => resolve());
    }
  });
}
