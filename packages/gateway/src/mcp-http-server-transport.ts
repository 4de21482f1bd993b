import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isEstopError } from '@estop/core';
import { readRequestBody } from './request-body.js';

/** The largest MCP request body accepted by default, in bytes. */
export const MAX_MCP_BODY_BYTES = 4 * 1024 * 1024;

/** The answer being assembled for one POST: the requests it carried and what has been sent back. */
interface PendingPost {
  readonly response: ServerResponse;
  readonly ids: readonly RequestId[];
  readonly answers: JSONRPCMessage[];
  /** True once the answer became an event stream, because a notification came before the result. */
  streaming: boolean;
}

function isRequest(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in message && 'id' in message;
}

function isAnswer(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } {
  return !('method' in message) && 'id' in message;
}

function fail(response: ServerResponse, status: number, code: number, message: string): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/**
 * The server side of one Streamable HTTP MCP session on `node:http`, for the gateway's agents.
 * A POST is answered with JSON once every request in it has its result, or as an event stream
 * as soon as a notification for one of them (progress) comes first; a GET opens the stream for
 * notifications such as `tools/list_changed`; a DELETE ends the session. No resumption.
 * The SDK's transport converts every request to and from web streams, which costs more than
 * the rest of a proxied call together.
 */
export class NodeStreamableHttpServerTransport implements Transport {
  /**
   * Called for each request whose POST closed before its answer was sent: without resumption,
   * its client can no longer receive the answer.
   */
  onabandon?: (requestId: RequestId) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  sessionId?: string;
  readonly #posts = new Map<RequestId, PendingPost>();
  #standalone: ServerResponse | undefined;
  #closed = false;

  readonly #maxBodyBytes: number;

  constructor(
    private readonly onSessionInitialized?: (sessionId: string) => void,
    options: { maxBodyBytes?: number | undefined } = {},
  ) {
    this.#maxBodyBytes = options.maxBodyBytes ?? MAX_MCP_BODY_BYTES;
  }

  async start(): Promise<void> {}

  /** Serves one HTTP request of this session (or the POST that starts it). */
  async handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'POST') return this.#post(request, response);
    if (this.sessionId === undefined && (request.method === 'GET' || request.method === 'DELETE')) {
      fail(response, 400, -32000, 'Bad Request: no session; send initialize first');
      return;
    }
    if (request.method === 'GET') return this.#get(request, response);
    if (request.method === 'DELETE') {
      response.writeHead(200).end();
      await this.close();
      return;
    }
    response.writeHead(405, { allow: 'GET, POST, DELETE' });
    response.end();
  }

  async #post(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body: unknown;
    let text: string;
    try {
      // Held whole up to the limit; past it the rest is drained, unread, and the answer is 413.
      text = (await readRequestBody(request, this.#maxBodyBytes)).toString('utf8');
    } catch (error) {
      if (isEstopError(error) && error.details?.status === 413) {
        response.setHeader('connection', 'close');
        fail(response, 413, -32600, `Invalid Request: the body is larger than ${this.#maxBodyBytes} bytes`);
      } else {
        fail(response, 400, -32600, 'Invalid Request: the body broke off');
      }
      return;
    }
    try {
      body = JSON.parse(text);
    } catch {
      fail(response, 400, -32700, 'Parse error: the body is not JSON');
      return;
    }
    const messages = (Array.isArray(body) ? body : [body]) as JSONRPCMessage[];
    const initializing = messages.some((message) => 'method' in message && message.method === 'initialize');
    if (this.sessionId === undefined) {
      if (!initializing) {
        fail(response, 400, -32000, 'Bad Request: no session; send initialize first');
        return;
      }
      this.sessionId = randomUUID();
      this.onSessionInitialized?.(this.sessionId);
    } else if (initializing) {
      fail(response, 400, -32600, 'Invalid Request: the session is already initialized');
      return;
    }
    const ids = messages.filter(isRequest).map((message) => message.id);
    if (ids.length === 0) {
      response.writeHead(202, { 'mcp-session-id': this.sessionId }).end();
    } else {
      const pending: PendingPost = { response, ids, answers: [], streaming: false };
      for (const id of ids) this.#posts.set(id, pending);
      response.once('close', () => {
        const abandoned = ids.filter((id) => this.#posts.get(id) === pending);
        for (const id of abandoned) this.#posts.delete(id);
        for (const id of abandoned) this.onabandon?.(id);
      });
    }
    for (const message of messages) this.onmessage?.(message);
  }

  #get(request: IncomingMessage, response: ServerResponse): void {
    if (!(request.headers.accept ?? '').includes('text/event-stream')) {
      fail(response, 406, -32000, 'Not Acceptable: the client must accept text/event-stream');
      return;
    }
    if (this.#standalone !== undefined) {
      fail(response, 409, -32000, 'Conflict: this session already has a notification stream');
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'mcp-session-id': this.sessionId ?? '',
    });
    response.flushHeaders();
    this.#standalone = response;
    response.once('close', () => {
      if (this.#standalone === response) this.#standalone = undefined;
    });
  }

  /** True while the client holds the session's notification stream open, or awaits an answer. */
  get active(): boolean {
    return this.#standalone !== undefined || this.#posts.size > 0;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const id = isAnswer(message) ? message.id : options?.relatedRequestId;
    const pending = id === undefined ? undefined : this.#posts.get(id);
    if (pending === undefined) {
      // Not tied to an open request: a notification for the session's own stream, if it has one.
      this.#standalone?.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
      return;
    }
    if (!isAnswer(message)) {
      this.#stream(pending).write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
      return;
    }
    this.#posts.delete(message.id);
    if (pending.streaming) {
      pending.response.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
      if (pending.ids.every((other) => this.#posts.get(other) !== pending)) pending.response.end();
      return;
    }
    pending.answers.push(message);
    if (pending.answers.length < pending.ids.length) return;
    const body = JSON.stringify(pending.ids.length === 1 ? pending.answers[0] : pending.answers);
    pending.response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'mcp-session-id': this.sessionId ?? '',
    });
    pending.response.end(body);
  }

  /** Turns a POST's answer into an event stream, writing out any results already gathered. */
  #stream(pending: PendingPost): ServerResponse {
    if (!pending.streaming) {
      pending.streaming = true;
      pending.response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        'mcp-session-id': this.sessionId ?? '',
      });
      for (const answer of pending.answers) {
        pending.response.write(`event: message\ndata: ${JSON.stringify(answer)}\n\n`);
      }
    }
    return pending.response;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of new Set(this.#posts.values())) pending.response.end();
    this.#posts.clear();
    this.#standalone?.end();
    this.#standalone = undefined;
    this.onclose?.();
  }
}
