import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { EstopError, type Call, type Decision, type Effect } from '@estop/core';
import { isDrafted, type Guard } from '@estop/sdk';
import type { IdentityResolver } from './caller.js';
import { describeCancellation } from './describe-refusal.js';
import {
  downstreamResponseHeaders,
  injectedHeaders,
  upstreamRequestHeaders,
  type InjectedHeaders,
} from './forward-headers.js';
import { forwardBuffered } from './forward-buffered.js';
import type { GatewayConfig, HttpRoute } from './gateway-config.js';
import type { GatewayLogger } from './gateway-logger.js';
import { httpWriteArguments, idempotencyKeyOf } from './http-write-arguments.js';
import { illFormedCall } from './ill-formed-call.js';
import type { InFlightCalls } from './in-flight-calls.js';
import { readRequestBody } from './request-body.js';
import { createRuleBook } from './rule-book.js';
import { sendProblem } from './send-problem.js';
import { sendFailure } from './send-failure.js';
import { replayReply, sendReply, storeReply } from './upstream-reply.js';

/** What the HTTP tool gateway needs: the same guard, identity and in-flight registry as the MCP side. */
export interface HttpProxyDeps {
  config: GatewayConfig;
  guard: Guard;
  identity: IdentityResolver;
  inFlight: InFlightCalls;
  logger?: GatewayLogger | undefined;
}

/** The HTTP tool gateway: `/tools/<name>` requests, decided and forwarded to their configured upstream. */
export interface HttpProxy {
  /** Answers one request for the route `name`; resolves when the exchange is over. */
  handle(request: IncomingMessage, response: ServerResponse, name: string): Promise<void>;
  /** Closes idle upstream connections and stops following the guard. */
  close(): void;
}

/** A configured route, prepared once so a request does no parsing it can avoid. */
interface PreparedRoute {
  readonly method: string;
  readonly effect: Effect;
  readonly url: URL;
  readonly headers: InjectedHeaders;
  readonly timeoutMs: number;
  readonly secure: boolean;
}

/** A route's effect: as configured, else GET and HEAD read and every other method writes. */
export function routeEffect(route: HttpRoute): Effect {
  return route.effect ?? (route.method === 'GET' || route.method === 'HEAD' ? 'read' : 'write');
}

function prepare(config: GatewayConfig): Map<string, PreparedRoute> {
  const routes = new Map<string, PreparedRoute>();
  for (const [name, route] of Object.entries(config.http.routes)) {
    const url = new URL(route.upstream);
    routes.set(name, {
      method: route.method,
      effect: routeEffect(route),
      url,
      headers: injectedHeaders(url.host, route.headers),
      timeoutMs: route.timeout_ms ?? config.timeout_ms,
      secure: url.protocol === 'https:',
    });
  }
  return routes;
}

function upstreamPath(url: URL, requestUrl: string | undefined): string {
  const query = requestUrl === undefined ? -1 : requestUrl.indexOf('?');
  if (query === -1 || requestUrl === undefined || query === requestUrl.length - 1) return url.pathname + url.search;
  const incoming = requestUrl.slice(query + 1);
  return url.search === '' ? `${url.pathname}?${incoming}` : `${url.pathname}${url.search}&${incoming}`;
}

function asEstopError(error: unknown): EstopError {
  return error instanceof EstopError
    ? error
    : new EstopError({ code: 'internal', message: 'internal error', cause: error });
}

/** How the proxy carries a call that route `name` matched: forwarded as it streams, or held whole and governed. */
type CallHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  name: string,
  route: PreparedRoute,
  call: Call,
) => Promise<void>;

/**
 * Creates the HTTP tool gateway. Each request is identified, decided locally by the guard and,
 * when allowed, streamed to the route's upstream with the tool's credentials injected and the
 * agent's stripped; it is tracked as in flight and cut off if a `cancelInFlight` rule covers it.
 */
export function createHttpProxy(deps: HttpProxyDeps): HttpProxy {
  const { guard, identity, inFlight, logger } = deps;
  const routes = prepare(deps.config);
  const rules = createRuleBook(guard);
  // Tool calls are a hot path: connections to upstreams are kept and reused.
  const httpAgent = new http.Agent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' });
  const httpsAgent = new https.Agent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' });

  const forward: CallHandler = (request, response, name, route, call) => {
    return new Promise<void>((resolve) => {
      const running = inFlight.start(call);
      let finished = false;
      const upstreamRequest = (route.secure ? https : http).request({
        protocol: route.url.protocol,
        hostname: route.url.hostname,
        port: route.url.port,
        path: upstreamPath(route.url, request.url),
        method: request.method,
        headers: upstreamRequestHeaders(request.rawHeaders, route.headers),
        agent: route.secure ? httpsAgent : httpAgent,
      });

      const finish = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        running.end();
        resolve();
      };
      const fail = (error: EstopError, status?: number, fields?: Record<string, unknown>): void => {
        if (finished) return;
        finish();
        upstreamRequest.destroy();
        request.unpipe(upstreamRequest);
        request.resume();
        sendProblem(response, error, { status, fields });
      };
      const onStop = (decision: Decision): void => {
        const cancellation = describeCancellation(name, decision, rules);
        logger?.info('call cancelled in flight', { tool: name, tenant: call.tenant, ruleId: decision.ruleId });
        fail(cancellation.error, undefined, cancellation.fields);
      };
      const timer = setTimeout(() => {
        fail(
          new EstopError({
            code: 'timeout',
            message: `${name}: the upstream did not answer within ${route.timeoutMs} ms`,
          }),
        );
      }, route.timeoutMs);
      // A stop after the call ended finds it finished.
      running.onStop(onStop);

      upstreamRequest.on('error', (error: NodeJS.ErrnoException) => {
        logger?.error('upstream request failed', { tool: name, error: error.code ?? error.message });
        fail(
          new EstopError({
            code: 'unavailable',
            message: `${name}: the upstream could not be reached (${error.code ?? 'connection failed'})`,
          }),
          502,
        );
      });
      upstreamRequest.on('response', (upstreamResponse) => {
        if (finished) {
          upstreamResponse.resume();
          return;
        }
        upstreamResponse.on('error', () => {
          // The upstream broke off mid-body: the agent must not take a truncated body as complete.
          if (finished) return;
          finish();
          response.destroy();
        });
        response.writeHead(upstreamResponse.statusCode ?? 502, downstreamResponseHeaders(upstreamResponse.rawHeaders));
        upstreamResponse.pipe(response);
      });
      response.on('close', () => {
        if (finished) return;
        finish();
        // The agent went away before the answer was complete: nobody is waiting for the upstream.
        if (!response.writableFinished) upstreamRequest.destroy();
      });
      request.on('error', () => fail(new EstopError({ code: 'invalid_request', message: 'the request broke off' })));
      request.pipe(upstreamRequest);
    });
  };

  /**
   * A write, held whole (up to 1 MB) so it can be drafted, approved and deduped: through
   * `guard.execute` like any governed call, answered with the upstream's reply, a replay of a
   * duplicate's first reply, 202 for a draft, or a problem.
   */
  const governWrite: CallHandler = async (request, response, name, route, call) => {
    let body: Buffer;
    try {
      body = await readRequestBody(request);
    } catch (error) {
      sendFailure(response, name, error, rules);
      return;
    }
    const args = httpWriteArguments(request, body);
    const illFormed = illFormedCall(name, args);
    if (illFormed !== undefined) {
      sendProblem(response, new EstopError({ code: 'invalid_request', message: `${name}: ${illFormed}` }));
      return;
    }
    // The agent going away ends a wait for an approval or a duplicate; a write already sent upstream runs to its end.
    const gone = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished)
        gone.abort(new EstopError({ code: 'invalid_request', message: 'the agent went away' }));
    });
    let replayed = false;
    const target = {
      name,
      url: route.url,
      path: upstreamPath(route.url, request.url),
      method: request.method ?? route.method,
      rawHeaders: request.rawHeaders,
      headers: route.headers,
      timeoutMs: route.timeoutMs,
      agent: route.secure ? httpsAgent : httpAgent,
    };
    try {
      const result = await guard.execute(
        call,
        args,
        () => forwardBuffered(target, body, call, { inFlight, rules, logger }),
        {
          signal: gone.signal,
          idempotencyKey: idempotencyKeyOf(request),
          record: storeReply,
          replay: (stored) => {
            replayed = true;
            return replayReply(stored);
          },
        },
      );
      if (!isDrafted(result)) {
        sendReply(response, result, replayed);
        return;
      }
      const answer = JSON.stringify({ ...result, executed: false });
      response.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      response.end(answer);
    } catch (error) {
      if (gone.signal.aborted) return;
      sendFailure(response, name, error, rules);
    }
  };

  return {
    async handle(request, response, name) {
      const route = routes.get(name);
      if (route === undefined) {
        request.resume();
        sendProblem(response, new EstopError({ code: 'not_found', message: `no tool route named ${name}` }));
        return;
      }
      if (request.method !== route.method) {
        request.resume();
        sendProblem(
          response,
          new EstopError({
            code: 'invalid_request',
            message: `${name} accepts ${route.method}, not ${request.method ?? '?'}`,
          }),
          { status: 405, headers: { allow: route.method } },
        );
        return;
      }
      let call: Call;
      try {
        const caller = await identity.resolve(request.headers);
        call = { tenant: caller.tenant, agent: caller.agent, run: caller.run, tool: name, effect: route.effect };
      } catch (error) {
        request.resume();
        sendProblem(response, asEstopError(error));
        return;
      }
      if (route.effect === 'read') {
        // A read streams through; only its decision (and a refusal's count) goes through execute.
        try {
          await guard.execute(call, undefined, () => forward(request, response, name, route, call));
        } catch (error) {
          request.resume();
          sendFailure(response, name, error, rules);
        }
        return;
      }
      await governWrite(request, response, name, route, call);
    },
    close() {
      rules.close();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
