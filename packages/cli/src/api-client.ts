import type {
  Actor,
  ApprovalView,
  AuditEntry,
  Draft,
  AuditHead,
  Enforcement,
  EnforcerRecord,
  ErrorCode,
  Mode,
  RestoreRequest,
  Role,
  Rule,
  RuleLift,
  RunRecord,
  Scope,
  SentinelSpec,
  TokenInfo,
} from '@estop/core';
import { ERROR_CODES, EstopError, errorCodeForStatus } from '@estop/core';

/** A new admin principal waiting for a different admin to confirm, as `GET /v1/tokens/requests` lists it. */
export interface TokenRequestView {
  id: string;
  /** The token that confirming creates. */
  token: TokenInfo;
  requestedBy: Actor;
  reason?: string | undefined;
  at: string;
  expiresAt: string;
}

/** The body of `POST /v1/tokens` as the CLI sends it: `name` (a new principal) or `forMe`. */
export interface TokenRequest {
  name?: string | undefined;
  forMe?: true | undefined;
  role: Role;
  tenant?: string | undefined;
  agent?: string | undefined;
  anyAgent?: true | undefined;
  reason?: string | undefined;
}

/** What `POST /v1/tokens` answers: the token (201), or a request a different admin must confirm (202). */
export type CreatedToken =
  | { token: string; info: TokenInfo; request?: undefined }
  | { token: string; info?: undefined; request: TokenRequestView; message: string };

/** An enforcer as `GET /v1/enforcers` lists it. */
export type EnforcerStatus = EnforcerRecord & { connected: boolean; current: boolean };

/** The body of `POST /v1/rules` as the CLI sends it. */
export interface RuleRequest {
  scope: Scope;
  /** Absent: the control plane's configured default mode. */
  mode?: Mode | undefined;
  reason: string;
  expiresIn?: string | undefined;
  cancelInFlight: boolean;
}

/**
 * What `POST /v1/rules/:id/lift` answers: the lift (and, for a staged restore, the replacement),
 * or a restore request that a second admin must confirm.
 */
export type LiftAnswer =
  { lift: RuleLift; version: number; replacement?: Rule | undefined } | { request: RestoreRequest; message: string };

/** `GET /v1/audit/verify`. */
export type AuditVerification =
  { ok: true; entries: number; head: AuditHead } | { ok: false; entries: number; brokenAt: number; problem: string };

/** Options for createApiClient. */
export interface ApiClientOptions {
  /** Base address of the control plane, e.g. `http://127.0.0.1:7070`. */
  url: string;
  /** Bearer token; requests go without one when absent (and the server answers 401). */
  token?: string | undefined;
  /** How long to wait for an answer beyond any server-side wait the request asks for. */
  timeoutMs?: number | undefined;
}

/** A typed client of the control plane's HTTP API (docs/api.md), as the CLI uses it. */
export interface ApiClient {
  listRules(): Promise<{ version: number; rules: Rule[] }>;
  createRule(input: RuleRequest): Promise<{ rule: Rule; version: number }>;
  /** With `to`, a staged restore: the rule is replaced by one of that less restrictive mode. */
  liftRule(id: string, reason: string, to?: Mode): Promise<LiftAnswer>;
  listRestoreRequests(): Promise<{ requests: RestoreRequest[] }>;
  confirmRestoreRequest(
    id: string,
    reason: string,
  ): Promise<{ request: RestoreRequest; lift: RuleLift; version: number; replacement?: Rule | undefined }>;
  /** With `ruleId`, the answer also counts the runs that rule stops (`runs`). */
  enforcement(version: number, waitMs: number, ruleId?: string): Promise<Enforcement>;
  listEnforcers(): Promise<{ version: number; enforcers: EnforcerStatus[] }>;
  listSentinels(): Promise<{ sentinels: SentinelSpec[] }>;
  listAudit(query: {
    after?: number | undefined;
    limit?: number | undefined;
  }): Promise<{ entries: AuditEntry[]; head: AuditHead }>;
  verifyAudit(): Promise<AuditVerification>;
  listTokens(): Promise<{ tokens: TokenInfo[] }>;
  createToken(input: TokenRequest): Promise<CreatedToken>;
  revokeToken(id: string): Promise<void>;
  listTokenRequests(): Promise<{ requests: TokenRequestView[] }>;
  confirmTokenRequest(id: string, reason?: string): Promise<{ info: TokenInfo }>;
  listRuns(): Promise<{ runs: RunRecord[] }>;
  killRun(id: string, reason: string): Promise<{ rule: Rule; version: number; run: RunRecord | null }>;
  /** Pending approvals oldest first, or with `all`, the latest 1000 of any status. */
  listApprovals(query: { all: boolean }): Promise<{ approvals: ApprovalView[] }>;
  decideApproval(id: string, decision: 'approve' | 'deny', reason: string): Promise<ApprovalView>;
  /** Drafts newest first; `before` (ISO-8601) pages to older ones. */
  listDrafts(query: {
    tenant?: string | undefined;
    before?: string | undefined;
    limit?: number | undefined;
  }): Promise<{ drafts: Draft[] }>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** The most pages one list follows: a server that keeps naming a next page cannot hold the CLI forever. */
const MAX_LIST_PAGES = 1000;

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

  async function request<T>(method: string, path: string, body?: unknown, extraWaitMs = 0): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const limitMs = timeoutMs + extraWaitMs;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(limitMs),
      });
    } catch (error) {
      throw networkError(base, error, limitMs);
    }
    const text = await response.text();
    if (!response.ok) throw problemError(response, text, options.token !== undefined);
    if (response.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new EstopError({
        code: 'internal',
        message: `the server at ${base} answered ${method} ${path} with something that is not JSON: is --url pointing at estop?`,
        cause: error,
      });
    }
  }

  const id = (value: string): string => encodeURIComponent(value);

  // A whole list: the server answers a page at a time, each naming the next by `nextCursor`.
  async function listAll<T>(path: string, field: string): Promise<T> {
    const separator = path.includes('?') ? '&' : '?';
    const first = await request<Record<string, unknown>>('GET', path);
    const items = [...((first[field] as unknown[] | undefined) ?? [])];
    let cursor = first.nextCursor;
    for (let pages = 1; typeof cursor === 'string' && pages < MAX_LIST_PAGES; pages += 1) {
      const page = await request<Record<string, unknown>>('GET', `${path}${separator}cursor=${id(cursor)}`);
      items.push(...((page[field] as unknown[] | undefined) ?? []));
      cursor = page.nextCursor;
    }
    const { nextCursor: _nextCursor, ...rest } = first;
    return { ...rest, [field]: items } as T;
  }

  return {
    listRules: () => listAll('/v1/rules', 'rules'),
    createRule: (input) => request('POST', '/v1/rules', input),
    liftRule: (ruleId, reason, to) => request('POST', `/v1/rules/${id(ruleId)}/lift`, { reason, to }),
    listRestoreRequests: () => listAll('/v1/restore-requests', 'requests'),
    confirmRestoreRequest: (requestId, reason) =>
      request('POST', `/v1/restore-requests/${id(requestId)}/confirm`, { reason }),
    enforcement: (version, waitMs, ruleId) =>
      request(
        'GET',
        `/v1/versions/${version}/enforcement?wait=${Math.max(0, Math.round(waitMs))}${ruleId === undefined ? '' : `&rule=${id(ruleId)}`}`,
        undefined,
        waitMs,
      ),
    listEnforcers: () => listAll('/v1/enforcers', 'enforcers'),
    listSentinels: () => listAll('/v1/sentinels', 'sentinels'),
    listAudit: ({ after, limit }) => {
      const query = new URLSearchParams();
      if (after !== undefined) query.set('after', String(after));
      if (limit !== undefined) query.set('limit', String(limit));
      const search = query.toString();
      return request('GET', `/v1/audit${search === '' ? '' : `?${search}`}`);
    },
    verifyAudit: () => request('GET', '/v1/audit/verify'),
    listTokens: () => listAll('/v1/tokens', 'tokens'),
    createToken: (input) => request('POST', '/v1/tokens', input),
    revokeToken: (tokenId) => request('DELETE', `/v1/tokens/${id(tokenId)}`),
    listTokenRequests: () => listAll('/v1/tokens/requests', 'requests'),
    confirmTokenRequest: (requestId, reason) =>
      request('POST', `/v1/tokens/requests/${id(requestId)}/confirm`, reason === undefined ? {} : { reason }),
    listRuns: () => listAll('/v1/runs', 'runs'),
    killRun: (runId, reason) => request('POST', `/v1/runs/${id(runId)}/kill`, { reason }),
    listApprovals: ({ all }) => listAll(all ? '/v1/approvals' : '/v1/approvals?status=pending', 'approvals'),
    decideApproval: (approvalId, decision, reason) =>
      request('POST', `/v1/approvals/${id(approvalId)}/${decision}`, { reason }),
    listDrafts: ({ tenant, before, limit }) => {
      const query = new URLSearchParams();
      if (tenant !== undefined) query.set('tenant', tenant);
      if (before !== undefined) query.set('before', before);
      if (limit !== undefined) query.set('limit', String(limit));
      const search = query.toString();
      return request('GET', `/v1/drafts${search === '' ? '' : `?${search}`}`);
    },
  };
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
]);

function networkCodes(error: unknown): string[] {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause === undefined || cause === null) return [];
  const codes: string[] = [];
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') codes.push(code);
  const nested = (cause as { errors?: unknown }).errors;
  if (Array.isArray(nested)) {
    for (const inner of nested) {
      const innerCode = (inner as { code?: unknown } | undefined)?.code;
      if (typeof innerCode === 'string') codes.push(innerCode);
    }
  }
  return codes;
}

/** Maps a failed fetch (nothing came back) to an EstopError. */
export function networkError(url: string, error: unknown, limitMs: number): EstopError {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new EstopError({
      code: 'timeout',
      message: `the control plane at ${url} did not answer within ${limitMs} ms`,
      cause: error,
    });
  }
  const codes = networkCodes(error);
  if (codes.includes('ECONNREFUSED')) {
    return new EstopError({
      code: 'unavailable',
      message: `cannot reach the control plane at ${url}: is \`estop serve\` running?`,
      cause: error,
    });
  }
  const known = codes.find((code) => UNREACHABLE_CODES.has(code));
  const reason =
    known ??
    (error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error));
  return new EstopError({
    code: 'unavailable',
    message: `cannot reach the control plane at ${url} (${reason}): is the URL right and \`estop serve\` running?`,
    cause: error,
  });
}

/** Maps a non-2xx answer, ideally `application/problem+json`, to an EstopError carrying its code and detail. */
export function problemError(
  response: { status: number; statusText: string },
  text: string,
  hadToken: boolean,
): EstopError {
  let problem: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      problem = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall back to the status.
  }
  const stated = problem.code;
  const code: ErrorCode =
    typeof stated === 'string' && (ERROR_CODES as readonly string[]).includes(stated)
      ? (stated as ErrorCode)
      : errorCodeForStatus(response.status);
  const detail = typeof problem.detail === 'string' && problem.detail !== '' ? problem.detail : undefined;
  const title = typeof problem.title === 'string' && problem.title !== '' ? problem.title : undefined;
  let message = detail ?? title ?? `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (code === 'unauthorized' && !hadToken) {
    message += `; no token was given: pass --token, set ESTOP_TOKEN, or run where .estop/admin-token exists`;
  }
  return new EstopError({
    code,
    message,
    details: { status: response.status, type: problem.type, title, detail, issues: problem.issues },
  });
}

/** The longest wait the control plane holds one enforcement request for. */
export const MAX_SERVER_WAIT_MS = 60_000;

/**
 * Asks whether every connected enforcer has applied `version`, waiting up to `waitMs` in total;
 * waits longer than one request may hold are split over several requests.
 */
export async function waitForEnforcement(
  client: Pick<ApiClient, 'enforcement'>,
  version: number,
  waitMs: number,
  maxPerRequestMs = MAX_SERVER_WAIT_MS,
  ruleId?: string,
): Promise<Enforcement> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const remaining = Math.max(0, deadline - Date.now());
    const enforcement = await client.enforcement(version, Math.min(remaining, maxPerRequestMs), ruleId);
    const done = enforcement.total === 0 || enforcement.acknowledged >= enforcement.total;
    if (done || remaining <= maxPerRequestMs) return enforcement;
  }
}
