import { AsyncLocalStorage } from 'node:async_hooks';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  JSONRPCMessage,
  MessageExtraInfo,
  Progress,
  ProgressNotification,
  ProgressToken,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { RelayedMessage, UpstreamCallContext } from './mcp-agent-session.js';

/** What a transport may add to an incoming message: the request of ours whose stream carried it. */
export type RelatedMessageExtra = MessageExtraInfo & { relatedRequestId?: RequestId | undefined };

/** A notification from the upstream with the request context it belongs to, when known. */
export type UpstreamNotificationListener = (
  notification: { method: string; params?: Record<string, unknown> },
  context: UpstreamCallContext | undefined,
) => void;

const contexts = new AsyncLocalStorage<UpstreamCallContext>();

/** What the upstream tells the agents besides progress and list changes. */
const RELAYED_NOTIFICATIONS = new Set([
  'notifications/message',
  'notifications/resources/updated',
  'notifications/elicitation/complete',
  'notifications/tasks/status',
]);

/** Runs `work` so that the upstream requests it sends belong to `context`. */
export function withCallContext<T>(context: UpstreamCallContext | undefined, work: () => T): T {
  return context === undefined ? work() : contexts.run(context, work);
}

function isRequest(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in message && 'id' in message;
}

/**
 * The gateway's transport to one upstream, around the real one (stdio or Streamable HTTP): it
 * remembers which agent request each upstream request was sent for, and tells what the upstream
 * sends back to whom. Progress is handed over here, synchronously and in order, because the
 * SDK's client handles notifications a tick after responses and would drop the last progress
 * that arrives with the result. A message the upstream sends during a request is attributed by
 * the stream it came on (Streamable HTTP) or, failing that, to the only request in flight.
 */
export class UpstreamWire implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  /** Log messages, resource updates, completed elicitations and task statuses, handed over instead of reaching the SDK's client. */
  onnotification?: UpstreamNotificationListener;
  readonly #outgoing = new Map<RequestId, UpstreamCallContext>();
  readonly #incoming = new Map<RequestId, UpstreamCallContext>();
  readonly #progress = new Map<ProgressToken, (notification: ProgressNotification['params']) => void>();
  #progressTokens = 0;

  constructor(private readonly inner: Transport) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => this.#receive(message, extra as RelatedMessageExtra | undefined);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isRequest(message)) {
      const context = contexts.getStore();
      if (context !== undefined) this.#outgoing.set(message.id, context);
    } else if (!('method' in message)) {
      if (message.id !== undefined) this.#incoming.delete(message.id);
    } else if (message.method === 'notifications/cancelled') {
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId !== undefined) this.#outgoing.delete(requestId);
    }
    return this.inner.send(message, options);
  }

  /**
   * `request` with a progress token of the gateway's own, unique on this connection (agents may
   * pick the same one), whose progress goes to `onprogress` in order until `stop` is called.
   */
  withProgress(
    request: RelayedMessage,
    onprogress: (progress: Progress) => void,
  ): { sent: RelayedMessage; stop: () => void } {
    this.#progressTokens += 1;
    const token = `estop-${this.#progressTokens}`;
    const meta = { ...(request.params?.['_meta'] as Record<string, unknown> | undefined), progressToken: token };
    this.#progress.set(token, ({ progressToken: _token, ...progress }) => onprogress(progress));
    return {
      sent: { method: request.method, params: { ...request.params, _meta: meta } },
      stop: () => this.#progress.delete(token),
    };
  }

  /** The context of a request the upstream sent, while it is open. */
  contextOf(requestId: RequestId): UpstreamCallContext | undefined {
    return this.#incoming.get(requestId);
  }

  #attribute(extra: RelatedMessageExtra | undefined): UpstreamCallContext | undefined {
    const related = extra?.relatedRequestId;
    if (related !== undefined) return this.#outgoing.get(related);
    // No stream to tell by (stdio): the only request in flight, if there is one.
    if (this.#outgoing.size !== 1) return undefined;
    return this.#outgoing.values().next().value;
  }

  #receive(message: JSONRPCMessage, extra: RelatedMessageExtra | undefined): void {
    if (!('method' in message)) {
      // A response: what comes after it is no longer part of that request.
      const id = message.id;
      if (id !== undefined) queueMicrotask(() => this.#outgoing.delete(id));
    } else if ('id' in message) {
      const context = this.#attribute(extra);
      if (context !== undefined) this.#incoming.set(message.id, context);
    } else if (message.method === 'notifications/progress') {
      const params = message.params as ProgressNotification['params'];
      const listener = this.#progress.get(params.progressToken);
      if (listener !== undefined) {
        listener(params);
        return;
      }
    } else if (RELAYED_NOTIFICATIONS.has(message.method)) {
      if (this.onnotification !== undefined) {
        this.onnotification(
          { method: message.method, ...(message.params === undefined ? {} : { params: message.params }) },
          this.#attribute(extra),
        );
        return;
      }
    }
    this.onmessage?.(message, extra);
  }
}
