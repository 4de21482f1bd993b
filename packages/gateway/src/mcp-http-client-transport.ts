import { Agent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { SseParser } from '@estop/client';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { RelatedMessageExtra } from './mcp-upstream-wire.js';

/**
 * Splits a `text/event-stream` body into the data of its `message` events, with
 * `@estop/client`'s parser: lines may arrive split across chunks; `feed` keeps what is incomplete.
 */
export class ServerSentEventReader {
  readonly #parser: SseParser;

  constructor(onData: (data: string) => void) {
    this.#parser = new SseParser((event) => {
      if (event.type === 'message') onData(event.data);
    });
  }

  feed(chunk: string): void {
    this.#parser.push(chunk);
  }
}

/**
 * A Streamable HTTP client transport on `node:http` with kept-alive connections, for the
 * gateway's hop to an upstream: it carries what the SDK's fetch-based transport does (JSON or
 * event-stream answers, the session id and protocol version headers, the standalone stream of
 * server notifications) at a fraction of its cost per request. No OAuth, no resumption: an
 * upstream's credentials are static headers from the configuration.
 */
export class NodeStreamableHttpClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** Messages that came on a request's own stream carry its id as `extra.relatedRequestId`. */
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  sessionId?: string;
  #protocolVersion: string | undefined;
  readonly #url: URL;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #agent: Agent;
  readonly #request: typeof httpRequest;
  readonly #open = new Set<{ destroy(): void }>();
  #closed = false;

  constructor(url: URL, headers: Readonly<Record<string, string>> = {}) {
    this.#url = url;
    this.#headers = headers;
    const secure = url.protocol === 'https:';
    this.#agent = secure ? new HttpsAgent({ keepAlive: true }) : new Agent({ keepAlive: true });
    this.#request = secure ? httpsRequest : httpRequest;
  }

  async start(): Promise<void> {}

  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
  }

  #headersFor(extra: OutgoingHttpHeaders): OutgoingHttpHeaders {
    return {
      ...this.#headers,
      ...extra,
      ...(this.sessionId === undefined ? {} : { 'mcp-session-id': this.sessionId }),
      ...(this.#protocolVersion === undefined ? {} : { 'mcp-protocol-version': this.#protocolVersion }),
    };
  }

  #exchange(method: string, headers: OutgoingHttpHeaders, body?: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new Error('transport closed'));
        return;
      }
      const outgoing = this.#request(this.#url, { method, agent: this.#agent, headers: this.#headersFor(headers) });
      this.#open.add(outgoing);
      outgoing.once('close', () => this.#open.delete(outgoing));
      outgoing.once('error', reject);
      outgoing.once('response', (response) => {
        this.#open.add(response);
        response.once('close', () => this.#open.delete(response));
        const sessionId = response.headers['mcp-session-id'];
        if (typeof sessionId === 'string' && sessionId !== '') this.sessionId = sessionId;
        resolve(response);
      });
      outgoing.end(body);
    });
  }

  #deliver(text: string, relatedRequestId?: RequestId): void {
    const extra: RelatedMessageExtra | undefined = relatedRequestId === undefined ? undefined : { relatedRequestId };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this.onerror?.(new Error(`upstream sent a message that is not JSON: ${(error as Error).message}`));
      return;
    }
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) this.onmessage?.(message as JSONRPCMessage, extra);
  }

  #readEvents(response: IncomingMessage, relatedRequestId?: RequestId): void {
    const reader = new ServerSentEventReader((data) => this.#deliver(data, relatedRequestId));
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => reader.feed(chunk));
    response.on('error', (error) => this.onerror?.(error));
  }

  async send(message: JSONRPCMessage | JSONRPCMessage[]): Promise<void> {
    const body = JSON.stringify(message);
    let response: IncomingMessage;
    try {
      response = await this.#exchange(
        'POST',
        {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': Buffer.byteLength(body),
        },
        body,
      );
    } catch (error) {
      // The upstream is unreachable: the connection is over, and is to be made anew.
      this.#lose();
      throw error;
    }
    const status = response.statusCode ?? 0;
    if (status === 404 && this.sessionId !== undefined) {
      // The upstream no longer knows the session (it restarted): the connection is over.
      await readBody(response).catch(() => '');
      this.#lose();
      throw new Error('upstream no longer knows this session (HTTP 404)');
    }
    const type = (response.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (status === 202 || status < 200 || status >= 300 || type !== 'text/event-stream') {
      const text = await readBody(response);
      if (status < 200 || status >= 300) throw new Error(`upstream answered HTTP ${status}: ${text.slice(0, 500)}`);
      if (status === 202) {
        const first = Array.isArray(message) ? message[0] : message;
        if (first !== undefined && 'method' in first && first.method === 'notifications/initialized') {
          this.#listen();
        }
        return;
      }
      if (text !== '') this.#deliver(text);
      return;
    }
    // What comes on a request's stream (its progress, log messages, the server's own requests) is part of it.
    this.#readEvents(
      response,
      !Array.isArray(message) && 'method' in message && 'id' in message ? message.id : undefined,
    );
  }

  /** Opens the standalone stream on which the upstream sends notifications (list changes). */
  #listen(): void {
    this.#exchange('GET', { accept: 'text/event-stream' })
      .then(async (response) => {
        if (response.statusCode !== 200) {
          await readBody(response);
          return;
        }
        this.#readEvents(response);
        // A stream the upstream ends (a proxy's idle timeout) is opened again, a second later.
        response.once('end', () => {
          if (!this.#closed) setTimeout(() => !this.#closed && this.#listen(), 1000).unref();
        });
      })
      .catch((error: unknown) => {
        if (this.#closed) return;
        // The upstream cannot be reached: the connection is over, and is to be made anew.
        this.onerror?.(error as Error);
        this.#lose();
      });
  }

  /** Ends the connection without saying goodbye to an upstream that is gone. */
  #lose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const open of this.#open) open.destroy();
    this.#open.clear();
    this.#agent.destroy();
    this.onclose?.();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.sessionId !== undefined) {
      await this.#exchange('DELETE', {})
        .then(readBody)
        .catch(() => undefined);
    }
    this.#closed = true;
    for (const open of this.#open) open.destroy();
    this.#open.clear();
    this.#agent.destroy();
    this.onclose?.();
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      text += chunk;
    });
    response.once('end', () => resolve(text));
    response.once('error', reject);
  });
}
