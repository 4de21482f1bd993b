import { EstopError, type EnforcerRegistration, type ErrorCode } from '@estop/core';

/**
 * The enforcer's side of the control plane's HTTP API (`docs/api.md`): register, open the
 * stream, acknowledge. Every failure becomes an EstopError whose code says what went wrong;
 * an abort through `signal` is rethrown as it is, so callers can tell it apart.
 */
export class ControlPlaneClient {
  readonly #baseUrl: URL;
  readonly #authorization: string;
  readonly #fetch: typeof fetch;

  constructor(baseUrl: URL, token: string, fetchFunction: typeof fetch) {
    this.#baseUrl = baseUrl;
    this.#authorization = `Bearer ${token}`;
    this.#fetch = fetchFunction;
  }

  /** Registers the enforcer; registering an id the control plane already knows is fine. */
  async register(registration: EnforcerRegistration, signal: AbortSignal): Promise<void> {
    const response = await this.#request('v1/enforcers', 'register', signal, {
      method: 'POST',
      body: JSON.stringify(registration),
    });
    if (response.ok || response.status === 409) {
      await discard(response);
      return;
    }
    throw await errorFrom(response, 'register');
  }

  /** Opens the event stream; the caller reads the body and aborts `signal` to close it. */
  async openStream(enforcerId: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const path = `v1/stream?enforcer=${encodeURIComponent(enforcerId)}`;
    const response = await this.#request(path, 'open the stream', signal, {
      method: 'GET',
      headers: { accept: 'text/event-stream' },
    });
    if (!response.ok) throw await errorFrom(response, 'open the stream');
    const type = response.headers.get('content-type') ?? '';
    if (response.body === null || !type.startsWith('text/event-stream')) {
      await discard(response);
      throw new EstopError({
        code: 'unavailable',
        message: `${this.#baseUrl.origin} answered the stream request with ${type || 'no body'}, not text/event-stream; is the url the estop control plane?`,
      });
    }
    return response.body as ReadableStream<Uint8Array>;
  }

  /** Acknowledges that the enforcer has applied `version`, with its count of running calls. */
  async ack(enforcerId: string, ack: { version: number; inFlight: number }, signal: AbortSignal): Promise<void> {
    const path = `v1/enforcers/${encodeURIComponent(enforcerId)}/ack`;
    const response = await this.#request(path, 'acknowledge', signal, { method: 'POST', body: JSON.stringify(ack) });
    if (!response.ok) throw await errorFrom(response, `acknowledge version ${ack.version}`);
    await discard(response);
  }

  async #request(
    path: string,
    action: string,
    signal: AbortSignal,
    init: { method: string; body?: string; headers?: Record<string, string> },
  ): Promise<Response> {
    const url = new URL(path, this.#baseUrl);
    const headers: Record<string, string> = { authorization: this.#authorization, ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await this.#fetch(url, { method: init.method, headers, body: init.body, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new EstopError({
        code: 'unavailable',
        message: `cannot reach the control plane at ${this.#baseUrl.origin} to ${action}: ${describe(error)}`,
        cause: error,
      });
    }
  }
}

const CODES_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limited',
  504: 'timeout',
};

async function errorFrom(response: Response, action: string): Promise<EstopError> {
  const code = CODES_BY_STATUS[response.status] ?? 'unavailable';
  let detail = '';
  try {
    const text = await response.text();
    const problem = JSON.parse(text) as { detail?: unknown; title?: unknown };
    detail = String(problem.detail ?? problem.title ?? '');
  } catch {
    // Not a problem+json body; the status says enough.
  }
  const hint =
    code === 'unauthorized'
      ? ' (the token is missing, unknown or revoked)'
      : code === 'forbidden'
        ? ' (the token needs the enforcer or admin role)'
        : '';
  return new EstopError({
    code,
    message: `the control plane refused to ${action}: ${response.status}${hint}${detail === '' ? '' : `: ${detail}`}`,
    details: { status: response.status },
  });
}

async function discard(response: Response): Promise<void> {
  // An unread body holds its connection until garbage collection.
  await response.body?.cancel().catch(() => undefined);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
