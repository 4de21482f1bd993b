import { IDEMPOTENCY_BATCH_MAX, type IdempotencyBatchResult } from '@estop/core';

/** One operation of a batch, as `POST /v1/idempotency/batch` takes it. */
export interface KeyOp {
  op: 'claim' | 'complete' | 'release' | 'observed';
  tenant: string;
  tool: string;
  key?: string | undefined;
  [field: string]: unknown;
}

/** A batch is cut before it grows past this many bytes of JSON, well within the control plane's body limit. */
const BATCH_BYTES = 256 * 1024;
/**
 * How long an operation nobody waits for (a completion, an observation) may wait for others to
 * travel with, before it goes in a request of its own.
 */
const LINGER_MS = 5;

interface Queued {
  op: KeyOp;
  /** The operation as JSON, written once. */
  text: string;
  /** Whether a caller waits on it (a claim, a release): it goes at once, not after the linger. */
  urgent: boolean;
  resolve: (result: IdempotencyBatchResult) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
}

/** Sends one batch of operations, `body` their request's JSON; answers one result per operation, in order. */
export type SendBatch = (ops: KeyOp[], body: string) => Promise<IdempotencyBatchResult[]>;

/**
 * Operations on idempotency keys from every guard in this process that share a control plane
 * and token, carried by one request at a time (`POST /v1/idempotency/batch`): those that arrive
 * while a request is on its way go together in the next. Under load each write's steps then
 * cost a share of a request instead of a request each, and the control plane commits each
 * batch's keys in one transaction; alone, a claim pays one request, as it would without
 * batching. An operation nobody waits for lingers up to LINGER_MS for company.
 */
export class IdempotencyBatch {
  #queue: Queued[] = [];
  readonly #watched = new Map<AbortSignal, { items: Set<Queued>; onAbort: () => void }>();
  #busy = false;
  #soon: 'now' | 'later' | undefined;
  #linger: NodeJS.Timeout | undefined;
  readonly #send: SendBatch;

  constructor(send: SendBatch) {
    this.#send = send;
  }

  /** An operation of more bytes of JSON than this goes on its own route, not in a batch. */
  static readonly maxBytes = BATCH_BYTES;

  /**
   * Queues `op` (`text`, its JSON); resolves with its result once the control plane has carried
   * it out (a claim `claimed` is held, a completion durable). An abort while it is still queued
   * takes it out, unsent; once sent, it is carried out whatever happens to the caller. A
   * `deferred` operation (nobody waits for it) may linger for company.
   */
  run(op: KeyOp, text: string, signal?: AbortSignal, deferred = false): Promise<IdempotencyBatchResult> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const item: Queued = { op, text, urgent: !deferred, resolve, reject, signal };
      if (signal !== undefined) this.#watch(signal, item);
      this.#queue.push(item);
      if (!this.#busy) this.#schedule(item.urgent);
    });
  }

  /** After the current I/O phase when a caller waits, so that one burst travels together; else after the linger. */
  #schedule(urgent: boolean): void {
    if (urgent) {
      if (this.#soon === 'now') return;
      clearTimeout(this.#linger);
      this.#soon = 'now';
      setImmediate(() => void this.#flush());
    } else if (this.#soon === undefined) {
      this.#soon = 'later';
      this.#linger = setTimeout(() => void this.#flush(), LINGER_MS);
    }
  }

  /**
   * One listener per signal, however many operations it covers (many calls of one run share the
   * run's signal): on abort, its operations still queued are taken out, unsent.
   */
  #watch(signal: AbortSignal, item: Queued): void {
    let watched = this.#watched.get(signal);
    if (watched === undefined) {
      const items = new Set<Queued>();
      const onAbort = (): void => {
        this.#watched.delete(signal);
        for (const queued of items) {
          const at = this.#queue.indexOf(queued);
          if (at !== -1) this.#queue.splice(at, 1);
          queued.reject(signal.reason);
        }
      };
      watched = { items, onAbort };
      this.#watched.set(signal, watched);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    watched.items.add(item);
  }

  /** Once sent, an operation is carried out whatever happens to its caller: no longer watched. */
  #unwatch(item: Queued): void {
    if (item.signal === undefined) return;
    const watched = this.#watched.get(item.signal);
    if (watched === undefined) return;
    watched.items.delete(item);
    if (watched.items.size > 0) return;
    item.signal.removeEventListener('abort', watched.onAbort);
    this.#watched.delete(item.signal);
  }

  async #flush(): Promise<void> {
    this.#soon = undefined;
    clearTimeout(this.#linger);
    if (this.#busy || this.#queue.length === 0) return;
    this.#busy = true;
    const batch = this.#take();
    try {
      const results = await this.#send(
        batch.map((item) => item.op),
        `{"ops":[${batch.map((item) => item.text).join(',')}]}`,
      );
      batch.forEach((item, index) => {
        const result = results[index];
        if (result === undefined) item.reject(new Error('the control plane answered fewer results than operations'));
        else item.resolve(result);
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
    } finally {
      this.#busy = false;
      if (this.#queue.length > 0) this.#schedule(this.#queue.some((item) => item.urgent));
    }
  }

  /** The longest head of the queue within the batch limits (at least one operation). */
  #take(): Queued[] {
    let bytes = 0;
    let count = 0;
    for (const item of this.#queue) {
      if (count >= IDEMPOTENCY_BATCH_MAX || (count > 0 && bytes + item.text.length > BATCH_BYTES)) break;
      bytes += item.text.length;
      count += 1;
    }
    const taken = this.#queue.splice(0, count);
    for (const item of taken) this.#unwatch(item);
    return taken;
  }
}
