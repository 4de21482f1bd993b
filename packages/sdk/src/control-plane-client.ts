import type { IncomingMessage } from 'node:http';
import { ROUTES, pathTo } from '@estop/client';
import { EstopError, type EnforcerRegistration, type RunEnd, type RunHeartbeat, type RunStart } from '@estop/core';
import { AckBatch, type Ack } from './ack-batch.js';
import {
  SHORT_REQUEST_TIMEOUT_MS,
  discard,
  errorFrom,
  isReplicaFailure,
  ok,
  readText,
  request,
} from './control-plane-http.js';
import type { ReplicaSet } from './replica-set.js';

/** A request body already written as JSON, sent as it is. */
export class JsonText {
  constructor(readonly text: string) {}
}

// One batch per control-plane replica and token, shared by every guard in the process.
const BATCHES = new Map<string, AckBatch>();

/**
 * The enforcer's side of the control plane's HTTP API (`docs/api.md`): register and open the
 * stream (one request, or two with a control plane that predates it), acknowledge. Every request
 * goes to the replica in use (`replicas.current`); a transport failure or a 5xx answer there
 * moves later requests to the next replica (see control-plane-http.ts for one request). Every
 * failure becomes an EstopError whose code says what went wrong; an abort through `signal` is
 * rethrown as it is, so callers can tell it apart.
 */
export class ControlPlaneClient {
  /** Whether a registration has succeeded: only then is there anything to deregister. */
  #registered = false;
  readonly #replicas: ReplicaSet;
  readonly #token: string;
  readonly #authorization: string;

  constructor(replicas: ReplicaSet, token: string) {
    for (const url of replicas.urls) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new EstopError({
          code: 'config_invalid',
          message: `the control plane url must be http(s), not ${url.protocol}`,
        });
      }
    }
    this.#replicas = replicas;
    this.#token = token;
    this.#authorization = `Bearer ${token}`;
  }

  /** The replica requests go to now. */
  get replica(): URL {
    return this.#replicas.current;
  }

  /** Registers the enforcer; registering an id the control plane already knows is fine. */
  async register(registration: EnforcerRegistration, signal: AbortSignal): Promise<void> {
    const response = await this.#request(
      pathTo(ROUTES.registerEnforcer),
      'register',
      signal,
      'POST',
      JSON.stringify(registration),
    );
    if (ok(response) || response.statusCode === 409) {
      this.#registered = true;
      return discard(response);
    }
    throw await errorFrom(response, 'register');
  }

  /**
   * Deregisters the enforcer as it closes, so that the control plane forgets it at once rather
   * than list it as gone until `enforcers.forget_after`. Gives up after `timeoutMs` (the whole
   * exchange, connecting included): closing must not hang on a control plane that is away. An
   * enforcer the control plane does not know (any more) is fine; one never registered is skipped.
   */
  async deregister(enforcerId: string, timeoutMs: number): Promise<void> {
    if (!this.#registered) return;
    const signal = AbortSignal.timeout(timeoutMs);
    const path = pathTo(ROUTES.deregisterEnforcer, { id: enforcerId });
    let response: IncomingMessage;
    try {
      response = await this.#request(path, 'deregister', signal, 'DELETE', undefined, false, timeoutMs);
    } catch (error) {
      if (!signal.aborted) throw error;
      throw new EstopError({
        code: 'timeout',
        message: `the control plane did not answer within ${timeoutMs}ms to deregister enforcer ${enforcerId}; it is forgotten when enforcers.forget_after has passed`,
        cause: error,
      });
    }
    this.#registered = false;
    if (ok(response) || response.statusCode === 404) return discard(response);
    throw await errorFrom(response, `deregister enforcer ${enforcerId}`);
  }

  /**
   * Registers the enforcer and opens its event stream in one request (`POST
   * /v1/enforcers/:id/stream`): a reconnect costs the replica one request. The caller reads the
   * response and aborts `signal` to close it. With `lastEventId` (the version the enforcer holds)
   * the control plane may resume from it rather than send a snapshot. A control plane without
   * the route answers `not_found`: register and `openStream` there instead.
   */
  async connect(
    registration: EnforcerRegistration,
    signal: AbortSignal,
    lastEventId?: number,
  ): Promise<IncomingMessage> {
    const path = pathTo(ROUTES.connectEnforcer, { id: registration.id });
    const response = await this.#openEvents(path, 'POST', JSON.stringify(registration), signal, lastEventId);
    this.#registered = true;
    return response;
  }

  /**
   * Opens the event stream of an enforcer registered before; the caller reads the response and
   * aborts `signal` to close it. With `lastEventId` (the version the enforcer holds) the control
   * plane may resume from it rather than send a snapshot.
   */
  async openStream(enforcerId: string, signal: AbortSignal, lastEventId?: number): Promise<IncomingMessage> {
    const path = pathTo(ROUTES.stream, {}, { enforcer: enforcerId });
    return this.#openEvents(path, 'GET', undefined, signal, lastEventId);
  }

  async #openEvents(
    path: string,
    method: 'GET' | 'POST',
    body: string | undefined,
    signal: AbortSignal,
    lastEventId: number | undefined,
  ): Promise<IncomingMessage> {
    const headers = lastEventId === undefined ? undefined : { 'last-event-id': String(lastEventId) };
    const replica = this.#replicas.current;
    const response = await this.#request(path, 'open the stream', signal, method, body, true, undefined, headers);
    if (!ok(response)) throw await errorFrom(response, 'open the stream');
    const type = response.headers['content-type'] ?? '';
    if (!type.startsWith('text/event-stream')) {
      await discard(response);
      // Not a control plane at all: another replica may be one.
      this.#replicas.failed(replica);
      throw new EstopError({
        code: 'unavailable',
        message: `${replica.origin} answered the stream request with ${type || 'no body'}, not text/event-stream; is the url the estop control plane?`,
      });
    }
    return response;
  }

  /**
   * Acknowledges that the enforcer has applied `version`, with its count of running calls.
   * Acknowledgements from the process's guards travel together (see AckBatch).
   */
  async ack(enforcerId: string, ack: { version: number; inFlight: number }, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw signal.reason;
    const replica = this.#replicas.current;
    try {
      await this.#batchFor(replica).add({ id: enforcerId, version: ack.version, inFlight: ack.inFlight });
    } catch (error) {
      if (isReplicaFailure(error)) this.#replicas.failed(replica);
      throw error;
    }
  }

  #batchFor(replica: URL): AckBatch {
    const key = `${replica.href}\n${this.#token}`;
    let batch = BATCHES.get(key);
    if (batch === undefined) {
      // The batch is shared: it sends to its own replica, and moves no guard's replica itself.
      const authorization = this.#authorization;
      batch = new AckBatch((acks) => sendAcks(replica, authorization, acks));
      BATCHES.set(key, batch);
    }
    return batch;
  }

  /** Registers a run; registering it again (after the control plane forgot it) is fine. */
  async startRun(start: RunStart, signal: AbortSignal): Promise<void> {
    return this.#report(pathTo(ROUTES.startRun), 'register a run', start, signal, `register run ${start.id}`);
  }

  /** Reports a run's state and calls in flight; `not_found` means the run must register again. */
  async runHeartbeat(runId: string, heartbeat: RunHeartbeat, signal: AbortSignal): Promise<void> {
    const path = pathTo(ROUTES.runHeartbeat, { id: runId });
    return this.#report(path, 'report a run', heartbeat, signal, `report run ${runId}`);
  }

  /** Reports that a run is over and nothing of it is running. */
  async endRun(runId: string, end: RunEnd, signal: AbortSignal): Promise<void> {
    return this.#report(pathTo(ROUTES.endRun, { id: runId }), 'end a run', end, signal, `end run ${runId}`);
  }

  /** POSTs `body` as JSON and expects any 2xx; another answer becomes an EstopError about `failure`. */
  async #report(path: string, action: string, body: unknown, signal: AbortSignal, failure: string): Promise<void> {
    const response = await this.#request(path, action, signal, 'POST', JSON.stringify(body));
    if (ok(response)) return discard(response);
    throw await errorFrom(response, failure);
  }

  /**
   * Sends one JSON request and returns the parsed answer (undefined for an empty one). Any
   * answer but 2xx becomes an EstopError whose code follows the status (`conflict` for 409)
   * and whose `details.status` is the status; `timeoutMs` bounds the whole exchange. With
   * `retryElsewhere`, a request that failed at its replica (unreachable, 5xx) is sent once more
   * to the next one, for requests that are safe to repeat.
   */
  async send(
    method: 'GET' | 'POST',
    path: string,
    action: string,
    body: unknown,
    signal: AbortSignal,
    timeoutMs = SHORT_REQUEST_TIMEOUT_MS,
    retryElsewhere = false,
  ): Promise<unknown> {
    const replica = this.#replicas.current;
    try {
      return await this.#sendOnce(method, path, action, body, signal, timeoutMs);
    } catch (error) {
      if (!retryElsewhere || signal.aborted || !isReplicaFailure(error) || this.#replicas.current === replica) {
        throw error;
      }
      return this.#sendOnce(method, path, action, body, signal, timeoutMs);
    }
  }

  async #sendOnce(
    method: 'GET' | 'POST',
    path: string,
    action: string,
    body: unknown,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<unknown> {
    const text = body === undefined ? undefined : body instanceof JsonText ? body.text : JSON.stringify(body);
    const response = await this.#request(path, action, signal, method, text, false, timeoutMs);
    if (!ok(response)) throw await errorFrom(response, action);
    const answer = await readText(response);
    if (answer === '') return undefined;
    try {
      return JSON.parse(answer) as unknown;
    } catch (error) {
      throw new EstopError({
        code: 'unavailable',
        message: `the control plane answered ${action} with a body that is not JSON`,
        cause: error,
      });
    }
  }

  /**
   * Sends one request to the replica in use. A transport failure or a 5xx answer there moves
   * later requests to the next replica; the failure itself still goes to the caller.
   */
  async #request(
    path: string,
    action: string,
    signal: AbortSignal,
    method: string,
    body?: string,
    stream = false,
    timeoutMs = SHORT_REQUEST_TIMEOUT_MS,
    extraHeaders?: Record<string, string>,
  ): Promise<IncomingMessage> {
    const replica = this.#replicas.current;
    try {
      const response = await request(replica, this.#authorization, {
        path,
        action,
        signal,
        method,
        body,
        stream,
        timeoutMs,
        headers: extraHeaders,
      });
      if ((response.statusCode ?? 0) >= 500) this.#replicas.failed(replica);
      return response;
    } catch (error) {
      if (!signal.aborted) this.#replicas.failed(replica);
      throw error;
    }
  }
}

/** Sends acknowledgements to one replica (see AckBatch). */
async function sendAcks(replica: URL, authorization: string, acks: Ack[]): Promise<{ unknown: string[] }> {
  const response = await request(replica, authorization, {
    path: pathTo(ROUTES.acknowledgeMany),
    action: 'acknowledge',
    signal: new AbortController().signal,
    method: 'POST',
    body: JSON.stringify({ acks }),
  });
  if (!ok(response)) throw await errorFrom(response, 'acknowledge applied versions');
  return JSON.parse(await readText(response)) as { unknown: string[] };
}
