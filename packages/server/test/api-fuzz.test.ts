import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import { ERROR_CODES, type Store } from '@estop/core';
import { createPostgresStore } from '@estop/store-postgres';
import { createSqliteStore } from '@estop/store-sqlite';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { fuzzRequestArbitrary, type FuzzAuth, type FuzzIds, type FuzzRequest } from './fuzz-requests.js';
import { ADMIN_TOKEN, startTestControlPlane, type TestControlPlane } from './harness.js';
import { receiverKey, receiverName } from '../src/notify/receiver.js';
import { databaseUrl, postgresSchema } from './postgres-schema.js';
import { startReceiver } from './webhook-receiver.js';

// Reproducible: the same seed sends the same requests. ESTOP_FUZZ_SEED and ESTOP_FUZZ_REQUESTS override.
const SEED = Number(process.env.ESTOP_FUZZ_SEED ?? 20_261_207);
const REQUESTS = Number(process.env.ESTOP_FUZZ_REQUESTS ?? 10_000);
const HTTP_REQUESTS = 300;

interface Answer {
  status: number;
  type: string;
  text: string;
}

/** Tokens of every role, tenant-bound ones, and things that are not tokens. */
async function callers(cp: TestControlPlane): Promise<FuzzAuth> {
  const bearer = (secret: string) => `Bearer ${secret}`;
  return {
    admin: bearer(ADMIN_TOKEN),
    operator: bearer(await cp.token('operator')),
    viewer: bearer(await cp.token('viewer')),
    enforcer: bearer(await cp.token('enforcer')),
    'enforcer@fuzz': bearer(await cp.token('enforcer', 'fuzz')),
    'operator@fuzz': bearer(await cp.token('operator', 'fuzz')),
    'admin@other': bearer(await cp.token('admin', 'other')),
    'viewer@other': bearer(await cp.token('viewer', 'other')),
    'agent@fuzz': bearer(await cp.token('agent', 'fuzz')),
    hook: bearer(await cp.token('hook')),
    'hook@fuzz': bearer(await cp.token('hook', 'fuzz')),
    none: null,
    unknown: 'Bearer estop_not-a-token',
    empty: 'Bearer ',
    basic: 'Basic Zm9vOmJhcg==',
    long: `Bearer ${'x'.repeat(4000)}`,
    lowercase: `bearer ${ADMIN_TOKEN}`,
  };
}

/** Real things for fuzzed paths to name: rules, a restore request, a run, an enforcer, an approval, spare tokens. */
async function existing(cp: TestControlPlane, auth: FuzzAuth): Promise<FuzzIds> {
  const as = (caller: string) => (auth[caller] as string).slice('Bearer '.length);
  const created = async (path: string, body: unknown, caller = 'admin') => {
    const response = await cp.request(path, { token: as(caller), body });
    assert.ok(response.status < 300, `${path}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const rules: string[] = [];
  for (const scope of [{ tenant: 'fuzz' }, { tenant: 'other', tool: 'mail.*' }, { tenant: 'fuzz', agent: 'a1' }]) {
    rules.push((await created('/v1/rules', { scope, mode: 'read_only', reason: 'fuzz seed' })).rule.id);
  }
  const global = (await created('/v1/rules', { mode: 'full_stop', reason: 'fuzz seed global' })).rule.id;
  rules.push(global);
  const lift = await cp.request(`/v1/rules/${global}/lift`, { body: { reason: 'fuzz seed lift' } });
  const restoreRequests = lift.status === 202 ? [lift.body.request.id as string] : [];
  await created('/v1/enforcers', { id: 'fuzz-enforcer', name: 'fuzz', kind: 'sdk' }, 'enforcer@fuzz');
  const startedAt = new Date().toISOString();
  const run = { id: 'run-fuzz', tenant: 'fuzz', enforcer: 'fuzz-enforcer', heartbeatMs: 60_000, startedAt };
  await created('/v1/runs', run, 'enforcer@fuzz');
  const approval = await created(
    '/v1/approvals',
    { tenant: 'fuzz', tool: 'mail.send', args: { n: 1 } },
    'enforcer@fuzz',
  );
  const tokens: string[] = [];
  for (let index = 0; index < 3; index += 1) {
    tokens.push((await created('/v1/tokens', { name: `spare-${index}`, role: 'viewer' })).info.id);
  }
  return {
    rules,
    tokens,
    approvals: [approval.id],
    runs: ['run-fuzz'],
    enforcers: ['fuzz-enforcer'],
    restoreRequests,
  };
}

/** What is wrong with an answer, or undefined: no 5xx, and every error a problem with a known code. */
function fault(request: FuzzRequest, answer: Answer): string | undefined {
  if (answer.status >= 500) return `${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400) return undefined;
  if (!answer.type.startsWith('application/problem+json')) return `${answer.status} as ${answer.type || 'no type'}`;
  if (request.method === 'HEAD') return undefined;
  let problem: { code?: unknown; status?: unknown };
  try {
    problem = JSON.parse(answer.text) as typeof problem;
  } catch {
    return `${answer.status} with a body that is not JSON`;
  }
  if (!(ERROR_CODES as readonly unknown[]).includes(problem.code)) return `unknown code ${String(problem.code)}`;
  if (problem.status !== answer.status) return `status ${String(problem.status)} in a ${answer.status}`;
  return undefined;
}

async function inProcess(cp: TestControlPlane, request: FuzzRequest): Promise<Answer> {
  const response = await cp.plane.app.request(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** One request over a socket, its path sent exactly as generated. */
function overHttp(url: string, request: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
      (response) => {
        // A stream that opened is an answer: take its status and leave it.
        if (String(response.headers['content-type']).startsWith('text/event-stream')) {
          resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), text: '' });
          outgoing.destroy();
          return;
        }
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(parts).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** What Node itself refuses, before any route, and the streams: each refusal must still be a problem. */
function edgeRequests(auth: FuzzAuth): FuzzRequest[] {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const streams = ['/v1/stream', '/v1/events'].flatMap((path) =>
    Object.entries(auth).flatMap(([caller, secret]) =>
      ['', '?enforcer=fuzz-enforcer', '?enforcer=%00', '?enforcer=nope', `?enforcer=${'e'.repeat(300)}`].map(
        (query): FuzzRequest => ({
          method: 'GET',
          url: `${path}${query}`,
          headers: secret === null ? {} : { authorization: secret },
          label: `GET ${path}${query.slice(0, 20)} as ${caller}`,
        }),
      ),
    ),
  );
  // A resume names the version the client holds; anything but a version is answered with a snapshot.
  const resumes = ['0', '1', '3', '-1', '01', '1.5', 'abc', ' ', '9'.repeat(16), '9'.repeat(400)].map(
    (lastEventId): FuzzRequest => ({
      method: 'GET',
      url: '/v1/stream',
      headers: { ...admin, 'last-event-id': lastEventId },
      label: `a stream resuming from Last-Event-ID ${JSON.stringify(lastEventId.slice(0, 20))}`,
    }),
  );
  return [
    ...streams,
    ...resumes,
    { method: 'GET', url: `/v1/rules/${'r'.repeat(20_000)}`, headers: admin, label: 'a 20 KB URL' },
    { method: 'GET', url: '/v1/rules', headers: { ...admin, 'x-pad': 'p'.repeat(20_000) }, label: '20 KB of headers' },
    { method: 'GET', url: '/v1/stream?enforcer=%00', headers: admin, label: 'a stream for a NUL enforcer' },
    { method: 'GET', url: '/v1/stream', headers: {}, label: 'a stream without a token' },
    { method: 'GET', url: '/v1/events', headers: { authorization: 'Bearer nope' }, label: 'events with a bad token' },
    { method: 'GET', url: '/v1/rules/..%2F..%2Fetc%2Fpasswd', headers: admin, label: 'an encoded traversal' },
    { method: 'GET', url: '/v1/../v1/tokens/%00', headers: admin, label: 'a dot segment' },
  ];
}

/** Bytes that are not HTTP, straight to the socket. */
function rawSocket(url: string, bytes: string): Promise<string> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname, () => socket.write(bytes));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

async function fuzz(context: TestContext, storeName: string, store: Store): Promise<void> {
  const receiver = await startReceiver();
  const cp = await startTestControlPlane({
    store,
    notify: {
      receivers: [
        {
          key: receiverKey(receiver.url),
          name: receiverName(receiver.url),
          url: receiver.url,
          secret: 'fuzz',
          events: new Set(['rule-created', 'drill-failed', 'alert-resolved']),
          format: 'json',
        },
      ],
    },
    triggers: [{ alert: 'FuzzAlert', match: {}, scopeFromLabels: ['tenant', 'agent'], mode: 'read_only' }],
  });
  try {
    const auth = await callers(cp);
    const ids = await existing(cp, auth);
    const counts: Record<string, number> = {};
    const faults = new Map<string, string>();
    const check = (request: FuzzRequest, answer: Answer) => {
      counts[answer.status] = (counts[answer.status] ?? 0) + 1;
      const found = fault(request, answer);
      if (found !== undefined && faults.size < 30) faults.set(`${request.label}: ${found}`, request.url.slice(0, 200));
    };

    const requests = fc.sample(fuzzRequestArbitrary(ids, auth), { seed: SEED, numRuns: REQUESTS });
    for (const request of requests) check(request, await inProcess(cp, request));

    const overSockets = fc.sample(fuzzRequestArbitrary(ids, auth, { streams: true }), {
      seed: SEED + 1,
      numRuns: HTTP_REQUESTS,
    });
    for (const request of [...edgeRequests(auth), ...overSockets]) check(request, await overHttp(cp.url, request));
    for (const bytes of ['NOT HTTP\r\n\r\n', 'GET /v1/rules HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n']) {
      const answer = await rawSocket(cp.url, bytes);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      counts[status] = (counts[status] ?? 0) + 1;
      if (status !== 400 || !/content-type: application\/problem\+json/i.test(answer)) {
        faults.set(`raw bytes ${JSON.stringify(bytes)}: ${answer.slice(0, 100)}`, '');
      }
    }

    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    context.diagnostic(`${storeName}: ${total} requests, by status ${JSON.stringify(counts)}`);
    assert.deepEqual([...faults.entries()], [], `answers that broke the rules on ${storeName}`);

    // Still alive, and nothing it refused or took broke the audit chain.
    assert.equal((await cp.request('/healthz', { token: null })).status, 200);
    const verified = await cp.request('/v1/audit/verify');
    assert.equal(verified.status, 200);
    assert.equal(verified.body.ok, true, JSON.stringify(verified.body));
  } finally {
    await cp.close();
    await receiver.close();
  }
}

describe('a seeded API fuzzer finds no 5xx, only problems, and leaves the server alive and its audit chain whole', () => {
  it('on SQLite', async (context) => {
    const file = join(await mkdtemp(join(tmpdir(), 'estop-fuzz-')), 'estop.db');
    await fuzz(context, 'sqlite', createSqliteStore({ file, sha256: sha256Hex }));
  });

  const postgres = postgresSchema('estop_fuzz');
  after(() => postgres.drop());

  it('on PostgreSQL', async (context) => {
    if (!(await postgres.ready(context))) return;
    await fuzz(
      context,
      'postgres',
      createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema: postgres.schema }),
    );
  });
});
