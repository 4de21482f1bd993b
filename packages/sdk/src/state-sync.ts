import {
  ChangeEventSchema,
  EstopError,
  KeepAliveSchema,
  StateSnapshotSchema,
  StreamResumeSchema,
  isEstopError,
  type Clock,
} from '@estop/core';
import type { IncomingMessage } from 'node:http';
import type { AckSender } from './ack-sender.js';
import { asEstopError } from './as-estop-error.js';
import type { Backoff } from './backoff.js';
import type { EnforcerRegistration } from '@estop/core';
import type { ControlPlaneClient } from './control-plane-client.js';
import type { LocalState } from './local-state.js';
import type { ReplicaSet } from './replica-set.js';
import { SseParser, type SseEvent } from '@estop/client';

/** What keeps a LocalState in step with the control plane. */
export interface StateSyncParts {
  client: ControlPlaneClient;
  /** The replicas `client` sends to; the stream follows the one in use. */
  replicas: ReplicaSet;
  registration: EnforcerRegistration;
  state: LocalState;
  acks: AckSender;
  backoff: Backoff;
  clock: Clock;
  staleAfterMs: number;
  onError: (error: EstopError) => void;
}

// The last event text each schema decoded, and what it decoded to. Every guard in a process
// receives the same text for a change; it is parsed and validated once, and the (never mutated)
// result shared.
const lastDecoded = new WeakMap<object, { data: string; value: unknown }>();

// Why a connection was aborted, so that only unexpected endings are reported.
const CLOSED = 'closed';
const RESYNC = 'resync';
const SILENT = 'silent';
const MOVED = 'moved';
const BEHIND = 'behind';

interface Connection {
  readonly controller: AbortController;
  readonly openedAt: number;
  /** The replica the connection is to. */
  readonly replica: URL;
  /** The version asked to resume from (`Last-Event-ID`); undefined when a snapshot was asked for. */
  resumeFrom: number | undefined;
  /** Whether the stream was opened (rather than refused). */
  opened: boolean;
  /** Whether the stream has started: a snapshot, or a resume from the version held, has been applied. */
  receivedSnapshot: boolean;
}

interface SafeParseResult<T> {
  success: boolean;
  data?: T | undefined;
  error?: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } | undefined;
}

/**
 * Keeps the local state in step with the control plane: registers and follows the event stream
 * (one request), applies versions strictly in order and acknowledges them. Any gap or malformed
 * event ends the connection, and the next one starts with a fresh snapshot. A connection that
 * broke, fell silent past the staleness bound or failed at its replica moves to the next
 * replica, registers there with the same request that opens the stream, and resumes from the
 * version held (`Last-Event-ID`), so the control plane sends only what changed meanwhile when it
 * can. A replica whose snapshot is older than the version held (same store) is behind: the state
 * is kept and the next connection, after the backoff, is to another replica. Each reconnect
 * waits a jittered backoff, which resets once the stream has started.
 */
export class StateSync {
  readonly #parts: StateSyncParts;
  #closed = false;
  /** The replica this enforcer is registered with. */
  #registeredOn: URL | undefined;
  /** Replicas (by URL) without the one-request connect: they register and stream in two requests. */
  readonly #twoStep = new Set<string>();
  /** False after a gap or malformed event: the next connection asks for a snapshot. */
  #resumable = true;
  #stopFollowingMoves: (() => void) | undefined;
  #connection: Connection | undefined;
  #loop: Promise<void> | undefined;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #wake: (() => void) | undefined;

  constructor(parts: StateSyncParts) {
    this.#parts = parts;
  }

  /** Starts syncing in the background; failures go to `onError`, never to the caller. */
  start(): void {
    const interval = Math.max(10, Math.min(1_000, this.#parts.staleAfterMs / 4));
    this.#watchdog = setInterval(() => this.#checkSilence(), interval);
    this.#watchdog.unref();
    // A failure of some other request moved the guard to another replica: the stream follows.
    this.#stopFollowingMoves = this.#parts.replicas.onMove(() => {
      const connection = this.#connection;
      if (connection !== undefined && connection.replica !== this.#parts.replicas.current) {
        connection.controller.abort(MOVED);
      }
    });
    this.#loop = this.#run();
  }

  /** Stops syncing: closes the stream, cancels the pending reconnect, and waits for both. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watchdog);
    this.#stopFollowingMoves?.();
    this.#connection?.controller.abort(CLOSED);
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      const connection: Connection = {
        controller: new AbortController(),
        openedAt: this.#parts.clock.now(),
        replica: this.#parts.replicas.current,
        resumeFrom: undefined,
        opened: false,
        receivedSnapshot: false,
      };
      this.#connection = connection;
      const signal = connection.controller.signal;
      try {
        await this.#follow(connection);
        // The control plane ended the stream (it is shutting down, or a proxy cut it).
        if (!signal.aborted) {
          this.#parts.onError(
            new EstopError({ code: 'unavailable', message: `the stream from ${connection.replica.origin} ended` }),
          );
        }
      } catch (error) {
        // A request that failed at its replica moved the guard on (and aborted this connection
        // with MOVED): its failure is still worth telling.
        const moved = signal.reason === MOVED && error !== MOVED;
        if (!signal.aborted || moved) this.#parts.onError(asEstopError(error, 'unavailable', 'the stream broke'));
      } finally {
        this.#connection = undefined;
        // Releases the response body if the stream ended some other way.
        if (!signal.aborted) {
          connection.controller.abort(CLOSED);
          // A stream that dropped: its replica is gone or going, so the next connection tries
          // another (a refused request has already moved on, or is not the replica's fault).
          if (connection.opened) this.#parts.replicas.failed(connection.replica);
        }
      }
      if (signal.reason === SILENT) {
        this.#parts.replicas.failed(connection.replica);
        this.#parts.onError(
          new EstopError({
            code: 'timeout',
            message: `no word from the control plane at ${connection.replica.origin} for ${this.#parts.staleAfterMs}ms; reconnecting`,
          }),
        );
      }
      if (signal.reason === BEHIND) this.#parts.replicas.failed(connection.replica);
      if (signal.reason === RESYNC) this.#resumable = false;
      if (this.#closed) return;
      await this.#sleep(this.#parts.backoff.next());
    }
  }

  async #follow(connection: Connection): Promise<void> {
    const { state } = this.#parts;
    const signal = connection.controller.signal;
    connection.resumeFrom = state.synced && this.#resumable ? state.version : undefined;
    const body = await this.#open(connection);
    connection.opened = true;
    const parser = new SseParser((event) => this.#handle(event, connection));
    // 'data' events rather than an async iterator: one callback per chunk and no promise, which
    // matters when a process follows many streams.
    await new Promise<void>((resolve, reject) => {
      body.on('data', (chunk: Uint8Array) => {
        if (!signal.aborted) parser.push(chunk);
      });
      body.once('end', resolve);
      body.once('close', resolve);
      body.once('error', (error) => (signal.aborted ? resolve() : reject(error)));
    });
  }

  /**
   * Registers with the connection's replica and opens the stream there: one request, or, with a
   * control plane that predates it (it has no such route), a registration when the replica is new
   * to this enforcer and then the stream.
   */
  async #open(connection: Connection): Promise<IncomingMessage> {
    const { client, registration } = this.#parts;
    const signal = connection.controller.signal;
    const replica = connection.replica;
    if (!this.#twoStep.has(replica.href)) {
      try {
        const body = await client.connect(registration, signal, connection.resumeFrom);
        this.#registeredOn = replica;
        return body;
      } catch (error) {
        if (!isEstopError(error, 'not_found')) throw error;
        this.#twoStep.add(replica.href);
      }
    }
    // Each replica keeps its own list of connected enforcers: one that is new to this enforcer
    // hears of it before the stream opens.
    if (this.#registeredOn !== replica) {
      await client.register(registration, signal);
      this.#registeredOn = replica;
    }
    try {
      return await client.openStream(registration.id, signal, connection.resumeFrom);
    } catch (error) {
      // The control plane no longer knows this enforcer (it restarted, or the request reached
      // another replica than the registration): register again.
      if (isEstopError(error, 'not_found')) this.#registeredOn = undefined;
      throw error;
    }
  }

  #handle(event: SseEvent, connection: Connection): void {
    if (connection.controller.signal.aborted) return;
    const { state, acks, backoff } = this.#parts;
    switch (event.type) {
      case 'snapshot': {
        const snapshot = this.#decode(event, StateSnapshotSchema, connection);
        if (snapshot === undefined) return;
        const held = state.version;
        if (!state.applySnapshot(snapshot)) {
          this.#behind(connection, snapshot.version, held);
          return;
        }
        connection.receivedSnapshot = true;
        this.#resumable = true;
        backoff.reset();
        return;
      }
      case 'resume': {
        const resume = this.#decode(event, StreamResumeSchema, connection);
        if (resume === undefined) return;
        if (connection.receivedSnapshot || resume.version !== connection.resumeFrom || !state.applyResume(resume)) {
          this.#malformed(
            connection,
            `a resume from version ${resume.version} on a stream asked to resume from ${connection.resumeFrom ?? 'nothing'}`,
          );
          return;
        }
        connection.receivedSnapshot = true;
        backoff.reset();
        return;
      }
      case 'change': {
        if (!this.#expectSnapshot(event, connection)) return;
        const change = this.#decode(event, ChangeEventSchema, connection);
        if (change === undefined) return;
        // A gap: the versions in between are unknown, so only a fresh snapshot can be trusted.
        if (!state.applyChange(change)) connection.controller.abort(RESYNC);
        return;
      }
      case 'keepalive': {
        if (!this.#expectSnapshot(event, connection)) return;
        const keepAlive = this.#decode(event, KeepAliveSchema, connection);
        if (keepAlive === undefined) return;
        if (state.hear(keepAlive.version)) acks.retry();
        else connection.controller.abort(RESYNC);
        return;
      }
      default:
        // Events this version does not know are ignored, so the control plane can add some.
        return;
    }
  }

  // A replica whose snapshot is older than the state held is behind the store: the state is kept
  // (its stops stay applied), and the next connection, after a backoff, is to another replica.
  #behind(connection: Connection, offered: number, held: number): void {
    this.#parts.onError(
      new EstopError({
        code: 'unavailable',
        message: `the control plane at ${connection.replica.origin} is behind: it sent version ${offered}, this enforcer holds ${held}; trying another`,
      }),
    );
    connection.controller.abort(BEHIND);
  }

  #expectSnapshot(event: SseEvent, connection: Connection): boolean {
    if (connection.receivedSnapshot) return true;
    this.#malformed(connection, `a ${event.type} event came before the snapshot or resume`);
    return false;
  }

  #decode<T>(
    event: SseEvent,
    schema: { safeParse(value: unknown): SafeParseResult<T> },
    connection: Connection,
  ): T | undefined {
    const memo = lastDecoded.get(schema);
    if (memo !== undefined && memo.data === event.data) return memo.value as T;
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      this.#malformed(connection, `a ${event.type} event is not JSON`);
      return undefined;
    }
    const result = schema.safeParse(json);
    if (result.success) {
      lastDecoded.set(schema, { data: event.data, value: result.data });
      return result.data as T;
    }
    const issues = (result.error?.issues ?? [])
      .slice(0, 5)
      .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    this.#malformed(connection, `a ${event.type} event does not match its schema (${issues})`);
    return undefined;
  }

  #malformed(connection: Connection, problem: string): void {
    this.#parts.onError(new EstopError({ code: 'internal', message: `the control plane sent ${problem}; resyncing` }));
    connection.controller.abort(RESYNC);
  }

  // A connection that has delivered nothing for longer than the staleness bound may be
  // half-open (a dead peer behind a NAT never sends the FIN); a fresh one finds out.
  #checkSilence(): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    const lastWord = Math.max(connection.openedAt, this.#parts.state.heardAt);
    if (this.#parts.clock.now() - lastWord > this.#parts.staleAfterMs) connection.controller.abort(SILENT);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      // Unreferenced: a guard waiting to reconnect does not keep a finished process alive.
      const timer = setTimeout(done, ms);
      timer.unref();
      this.#wake = done;
    });
  }
}
