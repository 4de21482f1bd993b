import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ROUTES, pathTo } from '@estop/client';
import { EstopError } from '@estop/core';
import { describeUrlProblem, parseControlPlaneUrls, ReplicaSet } from '@estop/sdk';
import type { Caller, IdentityResolver } from './caller.js';

/** How the gateway checks agents' tokens against the control plane. */
export interface IdentityOptions {
  /**
   * Base URL of the control plane, whose `GET /v1/whoami` validates a token; or its replicas'
   * (a list, or a comma-separated string): one is asked at a time, the next when it fails.
   */
  controlPlaneUrl: string | readonly string[];
  /**
   * How long a valid token's identity is remembered, in milliseconds. Default 250, at most 500:
   * a revoked token is refused within that time (plus the control plane's own quarter second).
   */
  cacheMs?: number | undefined;
  /** How long a rejected token stays rejected without asking again. Default 1000. */
  rejectedCacheMs?: number | undefined;
  /** How long to wait for the control plane. Default 5000. */
  timeoutMs?: number | undefined;
  /** The fetch implementation; the global one by default. */
  fetch?: typeof fetch | undefined;
}

/** A token's identity, as `GET /v1/whoami` tells it. */
interface TokenIdentity {
  name: string;
  role: string;
  tenant?: string | undefined;
  /** The agent the token is bound to; absent only when it may name any agent. */
  agent?: string | undefined;
  anyAgent: boolean;
}

/**
 * The longest a token's identity is remembered. Revocation must reach the gateway within a second:
 * the control plane's replicas remember a token for 250 ms, this for at most 500, and MCP sessions
 * are checked again every 250 ms.
 */
export const MAX_IDENTITY_CACHE_MS = 500;

interface CacheEntry {
  expiresAt: number;
  identity?: TokenIdentity | undefined;
  rejection?: EstopError | undefined;
}

/** Above this many remembered tokens, expired entries are swept (and the oldest dropped). */
const CACHE_LIMIT = 10_000;

/**
 * Creates the resolver that establishes who is calling the gateway: the bearer token is checked
 * with the control plane (remembered for `cacheMs`, keyed by its SHA-256 so secrets are not kept),
 * only `agent` tokens are accepted, and tenant and agent come from the token's binding (a header
 * naming another is `forbidden`) or, where it has none, from the `x-estop-tenant` and
 * `x-estop-agent` headers; the run from `x-estop-run`. An unreachable control plane is
 * `unavailable`, so callers fail closed.
 *
 * @example
 * const identity = createIdentityResolver({ controlPlaneUrl: 'http://127.0.0.1:7070' });
 * const caller = await identity.resolve(request.headers); // { tenant, agent, run, name }
 */
export function createIdentityResolver(options: IdentityOptions): IdentityResolver {
  const { urls, problems } = parseControlPlaneUrls(options.controlPlaneUrl);
  if (problems.length > 0) {
    throw new EstopError({
      code: 'config_invalid',
      message: `createIdentityResolver: ${problems.map((problem) => describeUrlProblem('controlPlaneUrl', problem)).join('; ')}`,
    });
  }
  const replicas = new ReplicaSet(urls);
  const cacheMs = Math.min(options.cacheMs ?? 250, MAX_IDENTITY_CACHE_MS);
  const rejectedCacheMs = options.rejectedCacheMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const fetchFunction = options.fetch ?? fetch;
  const cache = new Map<string, CacheEntry>();
  // Concurrent first requests with one token share one question to the control plane.
  const pending = new Map<string, Promise<TokenIdentity>>();

  /**
   * Asks the replica in use; one that does not answer or answers 5xx is left for the next, which
   * is asked once more (a read, safe to repeat), so a failing-over control plane refuses no one.
   */
  async function whoamiAnswer(token: string, attempt = 0): Promise<Response> {
    const replica = replicas.current;
    // Relative to the base URL, so that a control plane served under a path prefix is reached.
    const whoami = new URL(pathTo(ROUTES.whoami).slice(1), replica);
    let response: Response;
    try {
      response = await fetchFunction(whoami, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (replicas.failed(replica) && attempt === 0) return whoamiAnswer(token, attempt + 1);
      throw new EstopError({
        code: 'unavailable',
        message: `cannot check the token: the control plane at ${whoami.origin} did not answer`,
        cause: error,
      });
    }
    if (response.status >= 500 && replicas.failed(replica) && attempt === 0) {
      await response.body?.cancel();
      return whoamiAnswer(token, attempt + 1);
    }
    return response;
  }

  async function ask(token: string): Promise<TokenIdentity> {
    const response = await whoamiAnswer(token);
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new EstopError({ code: 'unauthorized', message: 'the bearer token is not valid (unknown or revoked)' });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new EstopError({
        code: 'unavailable',
        message: `cannot check the token: the control plane answered ${response.status}`,
      });
    }
    const body = (await response.json()) as Partial<TokenIdentity>;
    if (typeof body.name !== 'string' || typeof body.role !== 'string') {
      throw new EstopError({ code: 'unavailable', message: 'cannot check the token: unexpected whoami answer' });
    }
    const anyAgent = body.anyAgent === true;
    return {
      name: body.name,
      role: body.role,
      tenant: typeof body.tenant === 'string' ? body.tenant : undefined,
      // A control plane that names no binding binds the token to its name, as estop does by default.
      agent: typeof body.agent === 'string' ? body.agent : anyAgent ? undefined : body.name,
      anyAgent,
    };
  }

  function remember(key: string, entry: CacheEntry): void {
    if (cache.size >= CACHE_LIMIT) {
      const now = Date.now();
      for (const [oldKey, old] of cache) if (old.expiresAt <= now) cache.delete(oldKey);
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    }
    cache.set(key, entry);
  }

  async function identify(token: string): Promise<TokenIdentity> {
    const key = hash('sha256', token, 'base64');
    const cached = cache.get(key);
    if (cached !== undefined && cached.expiresAt > Date.now()) {
      if (cached.identity !== undefined) return cached.identity;
      if (cached.rejection !== undefined) throw cached.rejection;
    }
    let question = pending.get(key);
    if (question === undefined) {
      question = ask(token);
      pending.set(key, question);
      question.then(
        (identity) => {
          pending.delete(key);
          remember(key, { expiresAt: Date.now() + cacheMs, identity });
        },
        (error: unknown) => {
          pending.delete(key);
          // An unreachable control plane is asked again next time; a rejected token is not, for a while.
          if (error instanceof EstopError && error.code === 'unauthorized') {
            remember(key, { expiresAt: Date.now() + rejectedCacheMs, rejection: error });
          }
        },
      );
    }
    return question;
  }

  return {
    async resolve(headers: IncomingHttpHeaders): Promise<Caller> {
      const token = bearerToken(headers.authorization);
      const identity = await identify(token);
      if (identity.role !== 'agent') {
        throw new EstopError({
          code: 'forbidden',
          message: `the token "${identity.name}" has the ${identity.role} role; the gateway accepts only agent tokens (estop tokens create --role agent)`,
        });
      }
      const tenantHeader = header(headers, 'x-estop-tenant');
      let tenant: string;
      if (identity.tenant !== undefined) {
        tenant = boundTo('tenant', identity.tenant, tenantHeader);
      } else if (tenantHeader !== undefined) {
        tenant = tenantHeader;
      } else {
        throw new EstopError({
          code: 'invalid_request',
          message: `the token "${identity.name}" is not bound to a tenant, so the x-estop-tenant header must name one`,
        });
      }
      const agentHeader = header(headers, 'x-estop-agent');
      let agent: string;
      if (identity.agent !== undefined) {
        // A stop on the token's own agent applies whatever a header claims.
        agent = boundTo('agent', identity.agent, agentHeader);
      } else {
        agent = agentHeader ?? identity.name;
      }
      // The run is the caller's own label: stops on its tenant and agent, which come from the
      // token, match every run, so no run id can step out of them.
      return { tenant, agent, run: header(headers, 'x-estop-run'), name: identity.name };
    },
  };
}

/** What a token bound to a tenant or agent acts as: its binding, unless a header claims another (`forbidden`). */
function boundTo(binding: 'tenant' | 'agent', bound: string, claimed: string | undefined): string {
  if (claimed !== undefined && claimed !== bound) {
    throw new EstopError({
      code: 'forbidden',
      message: `token is bound to ${binding} ${bound}; it cannot act as ${claimed}`,
    });
  }
  return bound;
}

function bearerToken(authorization: string | undefined): string {
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match === null) {
    throw new EstopError({
      code: 'unauthorized',
      message: 'an agent token is required: send Authorization: Bearer <token>',
    });
  }
  return match[1] as string;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
