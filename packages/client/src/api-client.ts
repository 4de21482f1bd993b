import { EstopError } from '@estop/core';
import type { ApiClient, ApiClientOptions } from './api-types.js';
import { networkError } from './network-error.js';
import { problemError } from './problem-error.js';
import { ROUTES, pathTo, type Route } from './routes.js';

const DEFAULT_TIMEOUT_MS = 30_000;
/** The most pages one list follows: a server that keeps naming a next page cannot hold a client forever. */
export const MAX_LIST_PAGES = 1000;

/**
 * Creates a client for the control plane at `url`. Every failure is an EstopError: problem+json
 * answers keep their `code` and `detail`; an unreachable server is `unavailable`.
 *
 * @example
 * const client = createApiClient({ url: 'http://127.0.0.1:7070', token });
 * const { version, rules } = await client.listRules();
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const missingTokenHint = options.token === undefined ? options.missingTokenHint : undefined;
  const refusedTokenHint = options.token === undefined ? undefined : options.refusedTokenHint;

  async function request<T>(route: Route, path: string, body?: unknown, extraWaitMs = 0): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const limitMs = timeoutMs + extraWaitMs;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: route.method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(limitMs),
      });
    } catch (error) {
      throw networkError(base, error, limitMs);
    }
    const text = await response.text();
    if (!response.ok) throw problemError(response, text, { missingTokenHint, refusedTokenHint });
    if (response.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new EstopError({
        code: 'internal',
        message: `the server at ${base} answered ${route.method} ${path} with something that is not JSON: is the url pointing at estop?`,
        cause: error,
      });
    }
  }

  // A whole list: the server answers a page at a time, each naming the next by `nextCursor`.
  async function listAll<T>(route: Route, field: string, query: Record<string, string> = {}): Promise<T> {
    const first = await request<Record<string, unknown>>(route, pathTo(route, {}, query));
    const items = [...((first[field] as unknown[] | undefined) ?? [])];
    let cursor = first.nextCursor;
    for (let pages = 1; typeof cursor === 'string' && pages < MAX_LIST_PAGES; pages += 1) {
      const page = await request<Record<string, unknown>>(route, pathTo(route, {}, { ...query, cursor }));
      items.push(...((page[field] as unknown[] | undefined) ?? []));
      cursor = page.nextCursor;
    }
    const { nextCursor: _nextCursor, ...rest } = first;
    return { ...rest, [field]: items } as T;
  }

  const call = <T>(route: Route, parameters: Record<string, string | number> = {}, body?: unknown): Promise<T> =>
    request(route, pathTo(route as { path: string }, parameters), body);

  return {
    whoami: () => call(ROUTES.whoami),
    listRules: () => listAll(ROUTES.listRules, 'rules'),
    createRule: (input) => call(ROUTES.createRule, {}, input),
    liftRule: (id, reason, to, force) =>
      call(ROUTES.liftRule, { id }, { reason, to, ...(force === true ? { force } : {}) }),
    listRestoreRequests: () => listAll(ROUTES.listRestoreRequests, 'requests'),
    confirmRestoreRequest: (id, reason, force) =>
      call(ROUTES.confirmRestoreRequest, { id }, { reason, ...(force === true ? { force } : {}) }),
    enforcement: (version, waitMs, ruleId) =>
      request(
        ROUTES.enforcement,
        pathTo(ROUTES.enforcement, { version }, { wait: Math.max(0, Math.round(waitMs)), rule: ruleId }),
        undefined,
        waitMs,
      ),
    listEnforcers: () => listAll(ROUTES.listEnforcers, 'enforcers'),
    listSentinels: () => listAll(ROUTES.listSentinels, 'sentinels'),
    notifyStatus: ({ status, limit } = {}) =>
      request(ROUTES.notifyStatus, pathTo(ROUTES.notifyStatus, {}, { status, limit })),
    notifyTest: () => call(ROUTES.notifyTest, {}, {}),
    recordDrill: (record) => call(ROUTES.recordDrill, {}, record),
    listAudit: ({ after, limit }) => request(ROUTES.listAudit, pathTo(ROUTES.listAudit, {}, { after, limit })),
    verifyAudit: () => call(ROUTES.verifyAudit),
    listTokens: () => listAll(ROUTES.listTokens, 'tokens'),
    createToken: (input) => call(ROUTES.createToken, {}, input),
    revokeToken: (id) => call(ROUTES.revokeToken, { id }),
    listTokenRequests: () => listAll(ROUTES.listTokenRequests, 'requests'),
    confirmTokenRequest: (id, reason) =>
      call(ROUTES.confirmTokenRequest, { id }, reason === undefined ? {} : { reason }),
    listRuns: () => listAll(ROUTES.listRuns, 'runs'),
    killRun: (id, reason) => call(ROUTES.killRun, { id }, { reason }),
    listApprovals: ({ all }) => listAll(ROUTES.listApprovals, 'approvals', all ? {} : { status: 'pending' }),
    decideApproval: (id, decision, reason) => call(ROUTES[decision], { id }, { reason }),
    listDrafts: ({ tenant, before, limit }) =>
      request(ROUTES.listDrafts, pathTo(ROUTES.listDrafts, {}, { tenant, before, limit })),
  };
}
