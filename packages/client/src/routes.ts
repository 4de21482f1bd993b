/** One endpoint of the control plane: its method and its path, `:name` marking a parameter (as hono routes it). */
export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
}

/**
 * Every endpoint of the control plane's HTTP API (docs/api.md), the one place a `/v1/` path is
 * spelled: clients build their requests from it with `pathTo`, the server routes by its paths.
 */
export const ROUTES = {
  whoami: { method: 'GET', path: '/v1/whoami' },
  state: { method: 'GET', path: '/v1/state' },
  stream: { method: 'GET', path: '/v1/stream' },
  events: { method: 'GET', path: '/v1/events' },

  listRules: { method: 'GET', path: '/v1/rules' },
  getRule: { method: 'GET', path: '/v1/rules/:id' },
  createRule: { method: 'POST', path: '/v1/rules' },
  liftRule: { method: 'POST', path: '/v1/rules/:id/lift' },
  listRestoreRequests: { method: 'GET', path: '/v1/restore-requests' },
  confirmRestoreRequest: { method: 'POST', path: '/v1/restore-requests/:id/confirm' },

  registerEnforcer: { method: 'POST', path: '/v1/enforcers' },
  /** Registers an enforcer and answers its state stream: an enforcer's (re)connect in one request. */
  connectEnforcer: { method: 'POST', path: '/v1/enforcers/:id/stream' },
  listEnforcers: { method: 'GET', path: '/v1/enforcers' },
  deregisterEnforcer: { method: 'DELETE', path: '/v1/enforcers/:id' },
  acknowledge: { method: 'POST', path: '/v1/enforcers/:id/ack' },
  acknowledgeMany: { method: 'POST', path: '/v1/enforcers/acks' },
  reportBlocks: { method: 'POST', path: '/v1/enforcers/:id/blocks' },
  enforcement: { method: 'GET', path: '/v1/versions/:version/enforcement' },

  listAudit: { method: 'GET', path: '/v1/audit' },
  verifyAudit: { method: 'GET', path: '/v1/audit/verify' },

  listTokens: { method: 'GET', path: '/v1/tokens' },
  createToken: { method: 'POST', path: '/v1/tokens' },
  revokeToken: { method: 'DELETE', path: '/v1/tokens/:id' },
  listTokenRequests: { method: 'GET', path: '/v1/tokens/requests' },
  confirmTokenRequest: { method: 'POST', path: '/v1/tokens/requests/:id/confirm' },

  startRun: { method: 'POST', path: '/v1/runs' },
  listRuns: { method: 'GET', path: '/v1/runs' },
  runHeartbeat: { method: 'POST', path: '/v1/runs/:id/heartbeat' },
  endRun: { method: 'POST', path: '/v1/runs/:id/end' },
  killRun: { method: 'POST', path: '/v1/runs/:id/kill' },

  requestApproval: { method: 'POST', path: '/v1/approvals' },
  listApprovals: { method: 'GET', path: '/v1/approvals' },
  getApproval: { method: 'GET', path: '/v1/approvals/:id' },
  approve: { method: 'POST', path: '/v1/approvals/:id/approve' },
  deny: { method: 'POST', path: '/v1/approvals/:id/deny' },
  consumeApproval: { method: 'POST', path: '/v1/approvals/:id/consume' },

  recordDraft: { method: 'POST', path: '/v1/drafts' },
  listDrafts: { method: 'GET', path: '/v1/drafts' },

  claimIdempotency: { method: 'POST', path: '/v1/idempotency/claim' },
  completeIdempotency: { method: 'POST', path: '/v1/idempotency/complete' },
  releaseIdempotency: { method: 'POST', path: '/v1/idempotency/release' },
  idempotencyBatch: { method: 'POST', path: '/v1/idempotency/batch' },

  listSentinels: { method: 'GET', path: '/v1/sentinels' },

  notifyStatus: { method: 'GET', path: '/v1/notify' },
  notifyTest: { method: 'POST', path: '/v1/notify/test' },
  alertmanagerHook: { method: 'POST', path: '/v1/hooks/alertmanager' },
  recordDrill: { method: 'POST', path: '/v1/drills' },
} as const satisfies Record<string, Route>;

/** The name of an endpoint in ROUTES. */
export type RouteName = keyof typeof ROUTES;

/** The parameter names in a path pattern: `'/v1/rules/:id/lift'` gives `'id'`. */
export type PathParameterNames<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParameterNames<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never;

/** A value for each parameter of a path pattern. */
export type PathParameters<Path extends string> = { readonly [Name in PathParameterNames<Path>]: string | number };

/** A query string's fields; those `undefined` are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

type PathArguments<Path extends string> = [PathParameterNames<Path>] extends [never]
  ? [parameters?: PathParameters<Path>, query?: Query]
  : [parameters: PathParameters<Path>, query?: Query];

/**
 * The path of one request to `route`: each `:name` replaced by its parameter, URL-encoded, and
 * the query's defined fields appended.
 *
 * @example
 * pathTo(ROUTES.liftRule, { id: 'r_1' }); // '/v1/rules/r_1/lift'
 * pathTo(ROUTES.listApprovals, {}, { status: 'pending' }); // '/v1/approvals?status=pending'
 */
export function pathTo<Path extends string>(
  route: { readonly path: Path },
  ...[parameters, query]: PathArguments<Path>
): string {
  const values = (parameters ?? {}) as Readonly<Record<string, string | number>>;
  const path = route.path.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TypeError(`${route.path} needs its ${name}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}
