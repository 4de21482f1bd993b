import http from 'node:http';
import https from 'node:https';
import { EstopError, type Call } from '@estop/core';
import { describeCancellation } from './describe-refusal.js';
import { downstreamResponseHeaders, upstreamRequestHeaders, type InjectedHeaders } from './forward-headers.js';
import type { GatewayLogger } from './gateway-logger.js';
import type { InFlightCalls } from './in-flight-calls.js';
import type { RuleBook } from './rule-book.js';
import type { UpstreamReply } from './upstream-reply.js';

/** The largest upstream reply to a write the gateway holds; a larger one is cut off with 502. */
const MAX_REPLY_BYTES = 16 * 1024 * 1024;

/** A write that failed on its way to or from the upstream: the problem to answer with. */
export class ForwardFailure extends Error {
  readonly error: EstopError;
  readonly status: number | undefined;
  readonly fields: Record<string, unknown> | undefined;
  /** The upstream's reply, when it answered with a server error. */
  readonly reply: UpstreamReply | undefined;

  constructor(
    error: EstopError,
    options: { status?: number; fields?: Record<string, unknown>; reply?: UpstreamReply } = {},
  ) {
    super(error.message);
    this.error = error;
    this.status = options.status;
    this.fields = options.fields;
    this.reply = options.reply;
  }
}

/** Where a write goes: a configured route, prepared once. */
export interface WriteTarget {
  readonly name: string;
  readonly url: URL;
  readonly path: string;
  readonly method: string;
  readonly rawHeaders: readonly string[];
  readonly headers: InjectedHeaders;
  readonly timeoutMs: number;
  readonly agent: http.Agent;
}

/**
 * Sends a buffered write upstream and resolves with the whole reply. It is tracked in flight
 * and cut off if a `cancelInFlight` rule comes to cover it; it is not cut off when the agent
 * goes away, so the result can still be kept for a retry. A failure, and an upstream answer of
 * 500 or above, rejects with a ForwardFailure, which releases the write's idempotency key.
 */
export function forwardBuffered(
  target: WriteTarget,
  body: Buffer,
  call: Call,
  deps: { inFlight: InFlightCalls; rules: RuleBook; logger?: GatewayLogger | undefined },
): Promise<UpstreamReply> {
  return new Promise((resolve, reject) => {
    const running = deps.inFlight.start(call);
    let finished = false;
    const secure = target.url.protocol === 'https:';
    // The body is whole now: its length replaces however the agent sent it.
    const headers = upstreamRequestHeaders(target.rawHeaders, target.headers);
    const pairs: string[] = [];
    for (let index = 0; index < headers.length; index += 2) {
      const name = headers[index] as string;
      if (/^(content-length|transfer-encoding)$/i.test(name)) continue;
      pairs.push(name, headers[index + 1] as string);
    }
    pairs.push('content-length', String(body.length));
    const upstreamRequest = (secure ? https : http).request({
      protocol: target.url.protocol,
      hostname: target.url.hostname,
      port: target.url.port,
      path: target.path,
      method: target.method,
      headers: pairs,
      agent: target.agent,
    });
    const end = (): boolean => {
      if (finished) return false;
      finished = true;
      clearTimeout(timer);
      running.end();
      return true;
    };
    const fail = (failure: ForwardFailure): void => {
      if (!end()) return;
      upstreamRequest.destroy();
      reject(failure);
    };
    const timer = setTimeout(() => {
      fail(
        new ForwardFailure(
          new EstopError({
            code: 'timeout',
            message: `${target.name}: the upstream did not answer within ${target.timeoutMs} ms`,
          }),
        ),
      );
    }, target.timeoutMs);
    running.onStop((decision) => {
      const cancellation = describeCancellation(target.name, decision, deps.rules);
      deps.logger?.info('call cancelled in flight', {
        tool: target.name,
        tenant: call.tenant,
        ruleId: decision.ruleId,
      });
      fail(new ForwardFailure(cancellation.error, { fields: cancellation.fields }));
    });
    upstreamRequest.on('error', (error: NodeJS.ErrnoException) => {
      deps.logger?.error('upstream request failed', { tool: target.name, error: error.code ?? error.message });
      fail(
        new ForwardFailure(
          new EstopError({
            code: 'unavailable',
            message: `${target.name}: the upstream could not be reached (${error.code ?? 'connection failed'})`,
          }),
          { status: 502 },
        ),
      );
    });
    upstreamRequest.on('response', (upstreamResponse) => {
      const chunks: Buffer[] = [];
      let size = 0;
      upstreamResponse.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REPLY_BYTES) {
          fail(
            new ForwardFailure(
              new EstopError({
                code: 'unavailable',
                message: `${target.name}: the upstream's reply is larger than ${MAX_REPLY_BYTES} bytes, the most a write route holds`,
              }),
              { status: 502 },
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      upstreamResponse.once('error', () =>
        fail(
          new ForwardFailure(
            new EstopError({ code: 'unavailable', message: `${target.name}: the upstream broke off its reply` }),
            { status: 502 },
          ),
        ),
      );
      upstreamResponse.once('end', () => {
        const reply: UpstreamReply = {
          status: upstreamResponse.statusCode ?? 502,
          headers: downstreamResponseHeaders(upstreamResponse.rawHeaders),
          body: Buffer.concat(chunks, size),
        };
        if (reply.status >= 500) {
          if (!end()) return;
          reject(
            new ForwardFailure(
              new EstopError({ code: 'unavailable', message: `${target.name}: the upstream failed` }),
              { reply },
            ),
          );
          return;
        }
        if (end()) resolve(reply);
      });
    });
    upstreamRequest.end(body);
  });
}
