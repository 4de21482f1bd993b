import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AckBatchSchema,
  AckSchema,
  EnforcerRegistrationSchema,
  RunEndSchema,
  RunHeartbeatSchema,
  RunStartSchema,
  type Change,
  type ChangeEvent,
  type Mode,
  type Rule,
  type RunEnd,
  type RunHeartbeat,
  type RunStart,
  type Scope,
  type StateSnapshot,
} from '@estop/core';

/** An acknowledgement as the fake received it. */
export interface RecordedAck {
  enforcer: string;
  version: number;
  inFlight: number;
}

interface Stream {
  response: ServerResponse;
  enforcer: string | undefined;
  snapshotSent: boolean;
}

/**
 * A control plane small enough to reason about in tests: the enforcer endpoints of
 * `docs/api.md` (register, stream, both in one request, ack) over real HTTP, with handles to misbehave on purpose —
 * skip a version, fall silent, drop connections, refuse the token.
 */
export class FakeControlPlane {
  readonly token = 'estop_test_token';
  readonly registrations: { id: string; name: string; kind: string }[] = [];
  readonly acks: RecordedAck[] = [];
  /** Run registrations, heartbeats and ends, in the order received. */
  readonly runStarts: RunStart[] = [];
  readonly runHeartbeats: (RunHeartbeat & { run: string })[] = [];
  readonly runEnds: (RunEnd & { run: string })[] = [];
  /** Streams opened so far, over the fake's whole life. */
  streamsOpened = 0;
  /** Streams opened by the registration itself (`POST /v1/enforcers/:id/stream`), one request each. */
  connects = 0;
  /** The `Last-Event-ID` of each stream request, in order (undefined: none sent). */
  readonly lastEventIds: (string | undefined)[] = [];
  #state: StateSnapshot = { version: 1, rules: [], tools: {} };
  /** Every committed event, for resuming streams. */
  readonly #events: ChangeEvent[] = [];
  #resumes = false;
  /** Without `POST /v1/enforcers/:id/stream`, as a control plane that predates it. */
  #twoStep = false;
  #failing = false;
  #streams = new Set<Stream>();
  #silent = false;
  #refuseWith: 401 | 403 | undefined;
  #nextRule = 1;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  readonly #server = createServer((request, response) => {
    this.#route(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  #url = '';

  /**
   * Starts listening on a free port on localhost; keep-alives go out every `keepAliveMs`. With
   * `resumes`, a stream asking to resume from a version the fake has committed (its
   * `Last-Event-ID`) starts with a resume and the changes after it, as the control plane's does.
   * With `storeId`, its snapshots name that store, as a control plane's do. With `twoStep`, it has
   * no `POST /v1/enforcers/:id/stream`: enforcers register and open the stream in two requests.
   */
  static async start(
    options: {
      keepAliveMs?: number;
      tools?: StateSnapshot['tools'];
      resumes?: boolean;
      storeId?: string;
      twoStep?: boolean;
    } = {},
  ): Promise<FakeControlPlane> {
    const fake = new FakeControlPlane();
    fake.#state = { ...fake.#state, tools: options.tools ?? {} };
    if (options.storeId !== undefined) fake.#state.storeId = options.storeId;
    fake.#resumes = options.resumes ?? false;
    fake.#twoStep = options.twoStep ?? false;
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    fake.#keepAlive = setInterval(() => fake.#sendKeepAlives(), options.keepAliveMs ?? 1_000);
    return fake;
  }

  get url(): string {
    return this.#url;
  }

  get version(): number {
    return this.#state.version;
  }

  /** Streams open now. */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Flips a switch: creates a rule and pushes the change. Returns the rule. */
  flip(scope: Scope, mode: Mode, options: { cancelInFlight?: boolean } = {}): Rule {
    const rule: Rule = {
      id: `rule_${this.#nextRule++}`,
      scope,
      mode,
      reason: `test ${mode}`,
      actor: { id: 'operator@test', kind: 'human' },
      createdAt: new Date().toISOString(),
      cancelInFlight: options.cancelInFlight ?? false,
    };
    this.push([{ type: 'rule-created', rule }]);
    return rule;
  }

  /** Lifts a rule and pushes the change. */
  lift(ruleId: string): void {
    this.push([
      {
        type: 'rule-lifted',
        lift: {
          ruleId,
          actor: { id: 'operator@test', kind: 'human' },
          reason: 'test',
          at: new Date().toISOString(),
          expired: false,
        },
      },
    ]);
  }

  /** Commits the next version and sends it to every stream. */
  push(changes: Change[]): ChangeEvent {
    const event = this.#commit(changes, this.#state.version + 1);
    this.#broadcast(changeText(event));
    return event;
  }

  /**
   * Commits two versions but sends only the second, as if the first were lost: an enforcer
   * that applied it anyway would have skipped a change.
   */
  pushWithGap(skipped: Change[], sent: Change[]): ChangeEvent {
    this.#commit(skipped, this.#state.version + 1);
    const event = this.#commit(sent, this.#state.version + 1);
    this.#broadcast(changeText(event));
    return event;
  }

  /** Sends text as it is to every stream that has had its snapshot. */
  sendRaw(text: string): void {
    this.#broadcast(text);
  }

  /**
   * Falls silent, as a hung control plane would: no keep-alives, and new streams are accepted
   * but get no snapshot, until `resume()`.
   */
  silence(): void {
    this.#silent = true;
  }

  /** Speaks again: streams still waiting get their snapshot, keep-alives resume. */
  resume(): void {
    this.#silent = false;
    for (const stream of this.#streams) {
      if (!stream.snapshotSent) this.#sendSnapshot(stream);
    }
  }

  /** Forgets every registered run, as a restarted control plane would. */
  forgetRuns(): void {
    this.runStarts.length = 0;
  }

  /** Ends every open stream abruptly, as a crash or a load balancer would. */
  dropConnections(): void {
    for (const stream of this.#streams) stream.response.destroy();
    this.#streams.clear();
  }

  /** Answers every request but a stream's with 503 while `on`, as a replica whose store is away would. */
  failRequests(on: boolean): void {
    this.#failing = on;
  }

  /** Answers every request with this status (401 or 403) until called with undefined. */
  refuseWith(status: 401 | 403 | undefined): void {
    this.#refuseWith = status;
  }

  /** Acknowledgements of one enforcer, in the order received. */
  acksFrom(enforcer: string): RecordedAck[] {
    return this.acks.filter((ack) => ack.enforcer === enforcer);
  }

  async close(): Promise<void> {
    clearInterval(this.#keepAlive);
    for (const stream of this.#streams) stream.response.destroy();
    this.#streams.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #commit(changes: Change[], version: number): ChangeEvent {
    let rules = this.#state.rules;
    for (const change of changes) {
      if (change.type === 'rule-created') rules = [...rules, change.rule];
      else rules = rules.filter((rule) => rule.id !== change.lift.ruleId);
    }
    this.#state = { ...this.#state, version, rules };
    const event = { version, at: new Date().toISOString(), changes };
    this.#events.push(event);
    return event;
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    if (this.#refuseWith !== undefined || request.headers.authorization !== `Bearer ${this.token}`) {
      const status = this.#refuseWith ?? 401;
      const code = status === 401 ? 'unauthorized' : 'forbidden';
      problem(response, status, code, status === 401 ? 'unknown token' : 'the token lacks the enforcer role');
      return;
    }
    const connectPath = /^\/v1\/enforcers\/([^/]+)\/stream$/.exec(url.pathname);
    const connect = request.method === 'POST' && connectPath !== null && !this.#twoStep;
    if (this.#failing && url.pathname !== '/v1/stream' && !connect) {
      problem(response, 503, 'unavailable', 'the store does not answer');
      return;
    }
    if (request.method === 'POST' && url.pathname === '/v1/enforcers') {
      const registration = EnforcerRegistrationSchema.safeParse(await readJson(request));
      if (!registration.success) return problem(response, 400, 'invalid_request', registration.error.message);
      this.registrations.push(registration.data);
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ ...registration.data, version: 0, inFlight: 0, lastSeenAt: new Date().toISOString() }),
      );
      return;
    }
    if (request.method === 'POST' && url.pathname === '/v1/enforcers/acks') {
      const batch = AckBatchSchema.safeParse(await readJson(request));
      if (!batch.success) return problem(response, 400, 'invalid_request', batch.error.message);
      for (const { id, ...ack } of batch.data.acks) this.acks.push({ enforcer: id, ...ack });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ unknown: [] }));
      return;
    }
    const ackPath = /^\/v1\/enforcers\/([^/]+)\/ack$/.exec(url.pathname);
    if (request.method === 'POST' && ackPath !== null) {
      const ack = AckSchema.safeParse(await readJson(request));
      if (!ack.success) return problem(response, 400, 'invalid_request', ack.error.message);
      this.acks.push({ enforcer: decodeURIComponent(ackPath[1] ?? ''), ...ack.data });
      response.writeHead(204).end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/v1/runs') {
      const start = RunStartSchema.safeParse(await readJson(request));
      if (!start.success) return problem(response, 400, 'invalid_request', start.error.message);
      this.runStarts.push(start.data);
      response.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const runPath = /^\/v1\/runs\/([^/]+)\/(heartbeat|end)$/.exec(url.pathname);
    if (request.method === 'POST' && runPath !== null) {
      const run = decodeURIComponent(runPath[1] ?? '');
      if (!this.runStarts.some((start) => start.id === run)) return problem(response, 404, 'not_found', 'no such run');
      const body = await readJson(request);
      if (runPath[2] === 'heartbeat') {
        const heartbeat = RunHeartbeatSchema.safeParse(body);
        if (!heartbeat.success) return problem(response, 400, 'invalid_request', heartbeat.error.message);
        this.runHeartbeats.push({ run, ...heartbeat.data });
      } else {
        const end = RunEndSchema.safeParse(body);
        if (!end.success) return problem(response, 400, 'invalid_request', end.error.message);
        this.runEnds.push({ run, ...end.data });
      }
      response.writeHead(204).end();
      return;
    }
    if (connect) {
      const registration = EnforcerRegistrationSchema.safeParse(await readJson(request));
      if (!registration.success) return problem(response, 400, 'invalid_request', registration.error.message);
      if (registration.data.id !== decodeURIComponent(connectPath?.[1] ?? '')) {
        return problem(response, 400, 'invalid_request', 'the body names another enforcer than the path');
      }
      this.registrations.push(registration.data);
      this.connects++;
      this.#openStream(request, response, registration.data.id);
      return;
    }
    if (request.method === 'GET' && url.pathname === '/v1/stream') {
      this.#openStream(request, response, url.searchParams.get('enforcer') ?? undefined);
      return;
    }
    problem(response, 404, 'not_found', `no route ${request.method} ${url.pathname}`);
  }

  #openStream(request: IncomingMessage, response: ServerResponse, enforcer: string | undefined): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.flushHeaders();
    const stream: Stream = { response, enforcer, snapshotSent: false };
    this.#streams.add(stream);
    this.streamsOpened++;
    const lastEventId = request.headers['last-event-id'];
    this.lastEventIds.push(typeof lastEventId === 'string' ? lastEventId : undefined);
    response.on('close', () => this.#streams.delete(stream));
    if (this.#silent) return;
    const from = Number(lastEventId);
    const known = from === 1 || this.#events.some((event) => event.version === from);
    if (this.#resumes && lastEventId !== undefined && known && from <= this.#state.version) {
      stream.snapshotSent = true;
      response.write(
        `event: resume\nid: ${from}\ndata: ${JSON.stringify({ version: from, tools: this.#state.tools })}\n\n`,
      );
      for (const event of this.#events.filter((item) => item.version > from)) response.write(changeText(event));
      return;
    }
    this.#sendSnapshot(stream);
  }

  #sendSnapshot(stream: Stream): void {
    stream.snapshotSent = true;
    stream.response.write(`event: snapshot\ndata: ${JSON.stringify(this.#state)}\n\n`);
  }

  #sendKeepAlives(): void {
    if (this.#silent) return;
    this.#broadcast(
      `event: keepalive\ndata: ${JSON.stringify({ version: this.#state.version, at: new Date().toISOString() })}\n\n`,
    );
  }

  #broadcast(text: string): void {
    for (const stream of this.#streams) {
      if (stream.snapshotSent) stream.response.write(text);
    }
  }
}

function changeText(event: ChangeEvent): string {
  return `event: change\nid: ${event.version}\ndata: ${JSON.stringify(event)}\n\n`;
}

function problem(response: ServerResponse, status: number, code: string, detail: string): void {
  response.writeHead(status, { 'content-type': 'application/problem+json' });
  response.end(JSON.stringify({ type: `urn:estop:error:${code}`, title: code, status, code, detail }));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
