import fc from 'fast-check';

/** Ids of things that exist on the control plane under test, so that some fuzzed paths name them. */
export interface FuzzIds {
  rules: string[];
  tokens: string[];
  approvals: string[];
  runs: string[];
  enforcers: string[];
  restoreRequests: string[];
}

/** The callers a fuzzed request may present: role tokens, tenant-bound ones, and bad ones. */
export type FuzzAuth = Record<string, string | null>;

/** One generated request, as sent in-process or over HTTP. */
export interface FuzzRequest {
  method: string;
  /** Path and query, percent-encoded as sent. */
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** What it is, for the report of a failure. */
  label: string;
}

type IdKind = keyof FuzzIds | 'version' | 'none';

interface Endpoint {
  method: string;
  path: string;
  id: IdKind;
  /** A valid body, for mutation. */
  body?: (ids: FuzzIds) => unknown;
  /** Query parameters the endpoint reads. */
  query?: string[];
  /** Answers with an event stream, which only a socket carries: fuzzed over HTTP only. */
  stream?: true;
}

const NOW = () => new Date().toISOString();

const ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: '/healthz', id: 'none' },
  { method: 'GET', path: '/readyz', id: 'none' },
  { method: 'GET', path: '/v1/whoami', id: 'none' },
  { method: 'GET', path: '/v1/state', id: 'none' },
  { method: 'GET', path: '/v1/rules', id: 'none', query: ['limit', 'cursor'] },
  { method: 'GET', path: '/v1/rules/:id', id: 'rules' },
  {
    method: 'POST',
    path: '/v1/rules',
    id: 'none',
    body: () => ({
      scope: { tenant: 'fuzz', tool: 'mail.send' },
      mode: 'read_only',
      reason: 'fuzz',
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      expiresIn: '1h',
    }),
  },
  { method: 'POST', path: '/v1/rules/:id/lift', id: 'rules', body: () => ({ reason: 'fuzz lift', force: true }) },
  { method: 'GET', path: '/v1/restore-requests', id: 'none', query: ['limit', 'cursor'] },
  {
    method: 'POST',
    path: '/v1/restore-requests/:id/confirm',
    id: 'restoreRequests',
    body: () => ({ reason: 'fuzz confirm', force: true }),
  },
  { method: 'GET', path: '/v1/runs', id: 'none', query: ['limit', 'cursor'] },
  {
    method: 'POST',
    path: '/v1/runs',
    id: 'none',
    body: () => ({
      id: 'run-fuzz-new',
      tenant: 'fuzz',
      enforcer: 'fuzz-enforcer',
      heartbeatMs: 60_000,
      startedAt: NOW(),
    }),
  },
  {
    method: 'POST',
    path: '/v1/runs/:id/heartbeat',
    id: 'runs',
    body: () => ({ status: 'running', inFlight: [{ tool: 'search', startedAt: NOW() }] }),
  },
  { method: 'POST', path: '/v1/runs/:id/end', id: 'runs', body: () => ({ stopReason: 'ended' }) },
  { method: 'POST', path: '/v1/runs/:id/kill', id: 'runs', body: () => ({ reason: 'fuzz kill' }) },
  { method: 'GET', path: '/v1/enforcers', id: 'none', query: ['limit', 'cursor'] },
  {
    method: 'POST',
    path: '/v1/enforcers',
    id: 'none',
    body: () => ({ id: 'fuzz-enforcer', name: 'fuzz', kind: 'sdk', host: 'localhost', pid: 1 }),
  },
  {
    method: 'POST',
    path: '/v1/enforcers/:id/stream',
    id: 'enforcers',
    stream: true,
    body: (ids) => ({ id: ids.enforcers[0] ?? 'e', name: 'fuzz', kind: 'sdk', host: 'localhost', pid: 1 }),
  },
  { method: 'POST', path: '/v1/enforcers/:id/ack', id: 'enforcers', body: () => ({ version: 1, inFlight: 0 }) },
  { method: 'DELETE', path: '/v1/enforcers/:id', id: 'enforcers' },
  {
    method: 'POST',
    path: '/v1/enforcers/:id/blocks',
    id: 'enforcers',
    body: () => ({ from: NOW(), to: NOW(), counts: [{ tool: 'mail.send', tenant: 'fuzz', count: 2 }] }),
  },
  {
    method: 'POST',
    path: '/v1/enforcers/acks',
    id: 'none',
    body: (ids) => ({ acks: [{ id: ids.enforcers[0] ?? 'e', version: 1, inFlight: 0 }] }),
  },
  { method: 'GET', path: '/v1/versions/:id/enforcement', id: 'version', query: ['wait', 'rule'] },
  { method: 'GET', path: '/v1/audit', id: 'none', query: ['after', 'limit', 'cursor'] },
  { method: 'GET', path: '/v1/audit/verify', id: 'none' },
  { method: 'GET', path: '/v1/tokens', id: 'none', query: ['limit', 'cursor'] },
  { method: 'POST', path: '/v1/tokens', id: 'none', body: () => ({ name: 'fuzz-token', role: 'viewer' }) },
  { method: 'DELETE', path: '/v1/tokens/:id', id: 'tokens' },
  { method: 'GET', path: '/v1/approvals', id: 'none', query: ['status', 'limit', 'cursor'] },
  { method: 'GET', path: '/v1/approvals/:id', id: 'approvals', query: ['wait'] },
  {
    method: 'POST',
    path: '/v1/approvals',
    id: 'none',
    body: () => ({ tenant: 'fuzz', tool: 'mail.send', args: { to: 'a@example.com' }, timeoutMs: 60_000 }),
  },
  { method: 'POST', path: '/v1/approvals/:id/approve', id: 'approvals', body: () => ({ reason: 'fuzz ok' }) },
  { method: 'POST', path: '/v1/approvals/:id/deny', id: 'approvals', body: () => ({ reason: 'fuzz no' }) },
  { method: 'POST', path: '/v1/approvals/:id/consume', id: 'approvals', body: () => ({ hash: 'a'.repeat(64) }) },
  { method: 'GET', path: '/v1/drafts', id: 'none', query: ['tenant', 'before', 'limit', 'cursor'] },
  { method: 'POST', path: '/v1/drafts', id: 'none', body: () => ({ tenant: 'fuzz', tool: 'mail.send', args: [1, 2] }) },
  {
    method: 'POST',
    path: '/v1/idempotency/claim',
    id: 'none',
    body: () => ({ tenant: 'fuzz', tool: 'mail.send', args: { n: 1 }, windowMs: 60_000, waitMs: 0 }),
  },
  {
    method: 'POST',
    path: '/v1/idempotency/complete',
    id: 'none',
    body: () => ({ tenant: 'fuzz', key: 'k', claimId: 'c', result: { ok: true } }),
  },
  {
    method: 'POST',
    path: '/v1/idempotency/release',
    id: 'none',
    body: () => ({ tenant: 'fuzz', key: 'k', claimId: 'c' }),
  },
  {
    method: 'POST',
    path: '/v1/idempotency/batch',
    id: 'none',
    body: () => ({
      ops: [
        { op: 'claim', tenant: 'fuzz', tool: 'mail.send', args: { n: 1 }, windowMs: 60_000 },
        { op: 'complete', tenant: 'fuzz', tool: 'mail.send', key: 'k', claimId: 'c', result: { ok: true } },
        { op: 'release', tenant: 'fuzz', tool: 'mail.send', key: 'k', claimId: 'c' },
      ],
    }),
  },
  { method: 'GET', path: '/v1/sentinels', id: 'none', query: ['limit', 'cursor'] },
  { method: 'GET', path: '/metrics', id: 'none' },
  { method: 'GET', path: '/v1/notify', id: 'none', query: ['status', 'limit'] },
  { method: 'POST', path: '/v1/notify/test', id: 'none', body: () => ({}) },
  {
    method: 'POST',
    path: '/v1/hooks/alertmanager',
    id: 'none',
    body: () => ({
      version: '4',
      status: 'firing',
      receiver: 'estop',
      groupLabels: { alertname: 'FuzzAlert' },
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'FuzzAlert', tenant: 'fuzz', agent: 'a1' },
          annotations: { summary: 'fuzz' },
          startsAt: NOW(),
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: 'f0f0f0f0f0f0f0f0',
        },
      ],
    }),
  },
  {
    method: 'POST',
    path: '/v1/drills',
    id: 'none',
    body: () => ({ ok: false, scope: { tenant: 'fuzz' }, mode: 'read_only', steps: { stop: 12 }, problems: ['fuzz'] }),
  },
];

const PATH_TRICKS = [
  '%00',
  'a%00b',
  '..',
  '%2e%2e',
  '..%2F..%2Fetc',
  'a%2Fb',
  'a%5Cb',
  '%',
  '%zz',
  '%ff',
  '%ED%A0%80', // a lone surrogate, UTF-8 encoded
  '%F0%9F%98%80',
  '%C0%AF',
  'x'.repeat(201),
  'y'.repeat(5000),
  '%20',
  '-1',
  '1e309',
  '9007199254740993',
  '%0d%0aX-Injected:%201',
];

const QUERY_VALUES: Record<string, fc.Arbitrary<string>> = {
  limit: fc.constantFrom('1', '2', '50', '1000', '1001', '0', '-1', '1.5', 'abc', '1e9', '', '%00'),
  cursor: fc.constantFrom('', '%00', 'abc', '!!!', 'eyJpZCI6MX0', 'eyJpZCI6IngiLCJvZmZzZXQiOi0xfQ', 'A'.repeat(2000)),
  after: fc.constantFrom('0', '1', '-1', 'x', '1e400', '9007199254740993'),
  status: fc.constantFrom('pending', 'all', '', '%00'),
  wait: fc.constantFrom('0', '5', '-1', 'x', '60001', '1e10'),
  rule: fc.constantFrom('r_nope', '', '%00', 'z'.repeat(300)),
  tenant: fc.constantFrom('fuzz', '', '%00', '%ED%A0%80', 't'.repeat(300)),
  before: fc.constantFrom('2020-01-01T00:00:00Z', 'yesterday', '', '%00'),
};

/** Values that are the wrong type, too large, too deep or ill-formed for any field. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    0.5,
    1e308,
    2 ** 53,
    '',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '99999999999999d',
    '1h',
    '-5m',
    'NaN',
    [],
    {},
    { constructor: { prototype: { polluted: true } } },
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.constant('s'.repeat(300)),
  fc.constant('L'.repeat(70_000)),
  fc.jsonValue({ maxDepth: 3 }),
);

/** JSON text nested `depth` deep. */
function nested(depth: number, open: string, close: string): string {
  return `${open.repeat(depth)}${close.repeat(depth)}`;
}

/** A body as text: valid, mutated, malformed, huge or deep. */
function bodyArbitrary(endpoint: Endpoint, ids: FuzzIds): fc.Arbitrary<string | undefined> {
  const valid = endpoint.body?.(ids) ?? {};
  const fields = typeof valid === 'object' && valid !== null ? Object.keys(valid) : [];
  const mutated = fc
    .tuple(fc.constantFrom(...(fields.length === 0 ? ['extra'] : [...fields, 'extra'])), hostileValue)
    .map(([field, value]) => JSON.stringify({ ...(valid as object), [field]: value }));
  return fc.oneof(
    { weight: 80, arbitrary: fc.constant(JSON.stringify(valid)) },
    { weight: 160, arbitrary: mutated },
    { weight: 20, arbitrary: fc.constant(undefined) },
    { weight: 20, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
    {
      weight: 40,
      arbitrary: fc.constantFrom(
        '{',
        '{"reason":',
        '[1,2',
        'null',
        '"text"',
        '{"a":1}}',
        '\u0000',
        '{"reason":"\\ud800"}',
        '{"reason":"a\\u0000b"}',
        '{"reason":"\\x41"}',
        '{"scope":{"tenant":"\\udc00"},"reason":"r"}',
        '\ufeff{}',
        '{"__proto__":{"isAdmin":true},"reason":"r"}',
        'NaN',
        '1e999999',
      ),
    },
    { weight: 20, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    {
      weight: 20,
      arbitrary: fc.constantFrom(
        nested(5000, '[', ']'),
        nested(100, '[', ']'),
        `{"args":${nested(3000, '{"a":', '}').replace(/\}+$/, '')}1${'}'.repeat(3000)}}`,
        `{"tenant":"fuzz","tool":"t","args":${nested(63, '[', ']')}}`,
      ),
    },
    // A body over the 1 MiB limit, rarely: it costs a megabyte each time.
    { weight: 1, arbitrary: fc.constant(`{"reason":"${'h'.repeat(1_100_000)}"}`) },
  );
}

function idArbitrary(kind: IdKind, ids: FuzzIds): fc.Arbitrary<string> {
  const known = kind === 'none' || kind === 'version' ? [] : ids[kind];
  const real: fc.Arbitrary<string>[] =
    kind === 'version'
      ? [fc.constantFrom('0', '1', '2', '99999')]
      : known.length === 0
        ? []
        : [fc.constantFrom(...known).map((id) => encodeURIComponent(id))];
  return fc.oneof(
    ...real,
    fc.constantFrom(...PATH_TRICKS),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }).map((text) => encodeURIComponent(text)),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }).map((text) => {
      try {
        return encodeURIComponent(text);
      } catch {
        return '%ED%A0%80';
      }
    }),
  );
}

function queryArbitrary(endpoint: Endpoint): fc.Arbitrary<string> {
  const names = [...(endpoint.query ?? []), 'limit', 'cursor'];
  return fc
    .array(
      fc.oneof(
        fc
          .constantFrom(...names)
          .chain((name) => (QUERY_VALUES[name] ?? fc.constant('x')).map((value) => `${name}=${value}`)),
        fc.constantFrom('x=%00', '%ff=1', 'a', '&&', 'wait=0&wait=1', `q=${'Q'.repeat(3000)}`),
      ),
      { maxLength: 3 },
    )
    .map((parts) => (parts.length === 0 ? '' : `?${parts.join('&')}`));
}

/**
 * Requests against every endpoint: right and wrong methods, real ids and path tricks, hostile
 * query values, valid, mutated, malformed, deep and huge bodies, and every kind of caller.
 */
export function fuzzRequestArbitrary(
  ids: FuzzIds,
  auth: FuzzAuth,
  options: { streams?: boolean } = {},
): fc.Arbitrary<FuzzRequest> {
  const callers = Object.keys(auth);
  const endpoints = options.streams === true ? ENDPOINTS : ENDPOINTS.filter((endpoint) => endpoint.stream !== true);
  return fc
    .tuple(
      fc.constantFrom(...endpoints),
      fc.oneof(
        { weight: 9, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') },
      ),
      fc.constantFrom(...callers),
      fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
    )
    .chain(([endpoint, method, caller, contentType]) =>
      fc
        .record({
          id: idArbitrary(endpoint.id, ids),
          query: queryArbitrary(endpoint),
          body: endpoint.method === 'POST' ? bodyArbitrary(endpoint, ids) : fc.constant(undefined),
        })
        .map(({ id, query, body }): FuzzRequest => {
          const actualMethod = method ?? endpoint.method;
          const headers: Record<string, string> = {};
          const secret = auth[caller];
          if (secret !== null && secret !== undefined) headers.authorization = secret;
          if (body !== undefined && contentType !== '') headers['content-type'] = contentType;
          return {
            method: actualMethod,
            url: `${endpoint.path.replace(':id', id)}${query}`,
            headers,
            body: actualMethod === 'GET' || actualMethod === 'HEAD' ? undefined : body,
            label: `${actualMethod} ${endpoint.path} as ${caller}`,
          };
        }),
    );
}
