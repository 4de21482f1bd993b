import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { createMemoryStore, isWellFormedText, verifyChain, type Store } from '@estop/core';
import { createPostgresStore } from '@estop/store-postgres';
import { createSqliteStore } from '@estop/store-sqlite';
import { loadServerConfig } from '../src/index.js';
import { sha256Hex } from '../src/tokens/token-secret.js';
import { startTestControlPlane, type TestControlPlane } from './harness.js';
import { databaseUrl, postgresSchema } from './postgres-schema.js';

type Answer = Awaited<ReturnType<TestControlPlane['request']>>;

/** One control plane, an enforcer token and a registered enforcer: what the fields are sent through. */
interface Plane {
  cp: TestControlPlane;
  enforcer: string;
  /** Another admin (another principal), who may confirm what the first one asked. */
  secondAdmin: string;
  /** A fresh number, so that ids and tenants never collide between runs. */
  next(): number;
}

/**
 * One text field of the API: `send` puts `text` in it (after any well-formed steps it needs)
 * and returns the answer to the request that carried the text. `expect`, when given, is what
 * the audit log must then hold for it, found by the entry's rule id or reason.
 */
interface Field {
  name: string;
  send(plane: Plane, text: string): Promise<Answer>;
}

const now = () => new Date().toISOString();

async function createdRule(plane: Plane): Promise<string> {
  const created = await plane.cp.request('/v1/rules', {
    body: { scope: { tenant: `t${plane.next()}` }, mode: 'read_only', reason: 'first' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.rule.id as string;
}

async function requestedApproval(plane: Plane): Promise<string> {
  const requested = await plane.cp.request('/v1/approvals', {
    token: plane.enforcer,
    body: { tenant: 'acme', tool: 'mail.send', args: { to: 'a@example.com' } },
  });
  assert.equal(requested.status, 201, JSON.stringify(requested.body));
  return requested.body.id as string;
}

const asEnforcer = (path: string, body: unknown) => (plane: Plane) =>
  plane.cp.request(path, { token: plane.enforcer, body });

const rule =
  (scope: (text: string) => Record<string, unknown>, reason = (text: string) => text): Field['send'] =>
  (plane, text) =>
    plane.cp.request('/v1/rules', { body: { scope: scope(text), mode: 'read_only', reason: reason(text) } });

const draft =
  (fields: (text: string) => Record<string, unknown>): Field['send'] =>
  (plane, text) =>
    asEnforcer('/v1/drafts', { tenant: 'acme', tool: 'mail.send', ...fields(text) })(plane);

const approval =
  (fields: (text: string) => Record<string, unknown>): Field['send'] =>
  (plane, text) =>
    asEnforcer('/v1/approvals', { tenant: 'acme', tool: 'mail.send', ...fields(text) })(plane);

const claim =
  (fields: (text: string) => Record<string, unknown>): Field['send'] =>
  (plane, text) =>
    asEnforcer('/v1/idempotency/claim', { tenant: 'acme', tool: 'mail.send', windowMs: 60_000, ...fields(text) })(
      plane,
    );

const runStart =
  (fields: (text: string) => Record<string, unknown>): Field['send'] =>
  (plane, text) =>
    asEnforcer('/v1/runs', {
      id: `run-${plane.next()}`,
      tenant: 'acme',
      enforcer: 'e-text',
      heartbeatMs: 60_000,
      startedAt: now(),
      ...fields(text),
    })(plane);

async function startedRun(plane: Plane): Promise<string> {
  const id = `run-${plane.next()}`;
  const started = await asEnforcer('/v1/runs', {
    id,
    tenant: 'acme',
    enforcer: 'e-text',
    heartbeatMs: 60_000,
    startedAt: now(),
  })(plane);
  assert.equal(started.status, 201, JSON.stringify(started.body));
  return id;
}

/** Every text field an operator, an enforcer or an agent (through an enforcer) can send. */
const FIELDS: Field[] = [
  { name: 'a kill reason', send: rule(() => ({ tenant: 'acme' })) },
  {
    name: 'a rule tenant',
    send: rule(
      (text) => ({ tenant: text }),
      () => 'r',
    ),
  },
  {
    name: 'a rule agent',
    send: rule(
      (text) => ({ agent: text }),
      () => 'r',
    ),
  },
  {
    name: 'a rule run',
    send: rule(
      (text) => ({ run: text }),
      () => 'r',
    ),
  },
  {
    name: 'a rule tool glob',
    send: rule(
      (text) => ({ tool: text }),
      () => 'r',
    ),
  },
  {
    name: 'a lift reason',
    send: async (plane, text) =>
      plane.cp.request(`/v1/rules/${await createdRule(plane)}/lift`, { body: { reason: text } }),
  },
  {
    name: 'a run kill reason',
    send: (plane, text) => plane.cp.request(`/v1/runs/run-${plane.next()}/kill`, { body: { reason: text } }),
  },
  {
    name: 'a token name',
    // Numbered, so that a name drawn twice is not refused as taken.
    send: (plane, text) =>
      plane.cp.request('/v1/tokens', { body: { name: `${text} ${plane.next()}`, role: 'viewer' } }),
  },
  {
    name: 'a token tenant',
    send: (plane, text) =>
      plane.cp.request('/v1/tokens', { body: { name: `n${plane.next()}`, role: 'viewer', tenant: text } }),
  },
  {
    name: "an agent token's agent",
    send: (plane, text) =>
      plane.cp.request('/v1/tokens', {
        body: { name: `a${plane.next()}`, role: 'agent', tenant: 'acme', agent: text },
      }),
  },
  {
    name: 'a restore confirmation reason',
    send: async (plane, text) => {
      // A global full stop waits for a second admin to be lifted.
      const created = await plane.cp.request('/v1/rules', {
        body: { scope: {}, mode: 'full_stop', reason: `global ${plane.next()}` },
      });
      const lift = await plane.cp.request(`/v1/rules/${created.body.rule.id}/lift`, { body: { reason: 'over' } });
      assert.equal(lift.status, 202, JSON.stringify(lift.body));
      return plane.cp.request(`/v1/restore-requests/${lift.body.request.id}/confirm`, {
        token: plane.secondAdmin,
        body: { reason: text },
      });
    },
  },
  {
    name: 'an enforcer name',
    send: (plane, text) => asEnforcer('/v1/enforcers', { id: `e${plane.next()}`, name: text, kind: 'sdk' })(plane),
  },
  {
    name: 'an enforcer host',
    send: (plane, text) =>
      asEnforcer('/v1/enforcers', { id: `e${plane.next()}`, name: 'e', kind: 'sdk', host: text })(plane),
  },
  {
    name: "an enforcer's blocked tool",
    send: (plane, text) =>
      asEnforcer('/v1/enforcers/e-text/blocks', { from: now(), to: now(), counts: [{ tool: text, count: 1 }] })(plane),
  },
  {
    name: "an enforcer's blocked tenant and rule",
    send: (plane, text) =>
      asEnforcer('/v1/enforcers/e-text/blocks', {
        from: now(),
        to: now(),
        counts: [{ tool: 'mail.send', tenant: text, ruleId: text, count: 2 }],
      })(plane),
  },
  { name: 'a draft tenant', send: draft((text) => ({ tenant: text })) },
  { name: 'a draft tool name', send: draft((text) => ({ tool: text })) },
  { name: 'a draft agent', send: draft((text) => ({ agent: text })) },
  { name: 'a draft run', send: draft((text) => ({ run: text })) },
  { name: 'a draft rule id', send: draft((text) => ({ ruleId: text })) },
  { name: 'a draft enforcer', send: draft((text) => ({ enforcer: text })) },
  { name: 'a draft argument', send: draft((text) => ({ args: { to: [text] } })) },
  { name: 'a draft argument key', send: draft((text) => ({ args: { [text]: true } })) },
  { name: 'an approval tool name', send: approval((text) => ({ tool: text })) },
  { name: 'an approval argument', send: approval((text) => ({ args: { body: text } })) },
  { name: 'an approval argument key', send: approval((text) => ({ args: { [text]: 1 } })) },
  { name: 'an approval agent and run', send: approval((text) => ({ agent: text, run: text })) },
  {
    name: 'an approval decision reason',
    send: async (plane, text) =>
      plane.cp.request(
        `/v1/approvals/${await requestedApproval(plane)}/${plane.next() % 2 === 0 ? 'approve' : 'deny'}`,
        {
          body: { reason: text },
        },
      ),
  },
  { name: 'an idempotency key', send: claim((text) => ({ key: text })) },
  { name: 'an idempotency tool', send: claim((text) => ({ tool: text })) },
  { name: 'idempotency arguments', send: claim((text) => ({ args: { [text]: text } })) },
  { name: 'an idempotency agent and run', send: claim((text) => ({ agent: text, run: text, enforcer: text })) },
  { name: 'a run tenant', send: runStart((text) => ({ tenant: text })) },
  { name: 'a run agent', send: runStart((text) => ({ agent: text })) },
  {
    name: 'a tool in flight in a heartbeat',
    send: async (plane, text) =>
      asEnforcer(`/v1/runs/${await startedRun(plane)}/heartbeat`, {
        status: 'running',
        inFlight: [{ tool: text, startedAt: now() }],
      })(plane),
  },
  {
    name: "a run's stop reason",
    send: async (plane, text) =>
      asEnforcer(`/v1/runs/${await startedRun(plane)}/end`, { stopReason: `killed:${text}` })(plane),
  },
];

/** Texts that no store can keep as they are: lone surrogates (either half, at either end) and NUL. */
const ILL_FORMED = ['\ud800', 'x\udc00', 'tail\udbff', '\udfff head', 'nul\u0000', '\u0000'];

/** Any text: any UTF-16 code units, any grapheme, or one of the ill-formed ones. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }),
  fc.constantFrom(...ILL_FORMED, 'ok 🛑', '𠀀', 'é'),
);

function assertAnswer(field: string, text: string, answer: Answer): void {
  const where = `${field} = ${JSON.stringify(text)}: ${answer.status} ${JSON.stringify(answer.body)}`;
  if (answer.status >= 200 && answer.status < 300) {
    assert.equal(isWellFormedText(text), true, `accepted ill-formed text: ${where}`);
    return;
  }
  assert.equal(answer.type, 'application/problem+json', where);
  // Well-formed text may still be refused (too long, a control character, blank, a name taken, a
  // rule the reporter may not name), as the client's error: never a 5xx.
  const refusals: Record<number, string> = { 403: 'forbidden', 404: 'not_found', 409: 'conflict' };
  if (isWellFormedText(text) && refusals[answer.status] !== undefined) {
    assert.equal(answer.body.code, refusals[answer.status], where);
    return;
  }
  assert.equal(answer.status, 400, where);
  assert.equal(answer.body.code, 'invalid_request', where);
}

async function assertChainHolds(plane: Plane): Promise<void> {
  await plane.cp.plane.flushAudit();
  const verified = await plane.cp.request('/v1/audit/verify');
  assert.equal(verified.body.ok, true, JSON.stringify(verified.body));
  // What each store gives back is exactly what was hashed: the chain recomputes from it.
  const entries = await plane.cp.store.audit.list({ limit: 1_000_000 });
  const check = verifyChain(entries, sha256Hex);
  assert.equal(check.ok, true, check.ok ? '' : check.problem);
  // A termination or a sentinel's trip may land after the verification, never before it.
  assert.ok(entries.length >= verified.body.entries);
}

async function withPlane(store: Store, body: (plane: Plane) => Promise<void>): Promise<void> {
  const cp = await startTestControlPlane({ store });
  try {
    let counter = 0;
    const enforcer = await cp.token('enforcer', undefined, 'enforcer-text');
    const secondAdmin = await cp.token('admin', undefined, 'second-admin');
    const plane: Plane = { cp, enforcer, secondAdmin, next: () => (counter += 1) };
    const registered = await asEnforcer('/v1/enforcers', { id: 'e-text', name: 'e-text', kind: 'sdk' })(plane);
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    await body(plane);
  } finally {
    await cp.close();
  }
}

/** The three stores every text field is driven into. */
function onEveryStore(title: string, body: (plane: Plane) => Promise<void>): void {
  describe(title, () => {
    it('on the memory store', () => withPlane(createMemoryStore({ sha256: sha256Hex }), body));

    it('on SQLite', async () => {
      const file = join(await mkdtemp(join(tmpdir(), 'estop-text-')), 'estop.db');
      await withPlane(createSqliteStore({ file, sha256: sha256Hex }), body);
    });

    const postgres = postgresSchema('estop_text');
    after(() => postgres.drop());
    it('on PostgreSQL', async (context) => {
      if (!(await postgres.ready(context))) return;
      await withPlane(createPostgresStore({ url: databaseUrl, sha256: sha256Hex, schema: postgres.schema }), body);
    });
  });
}

onEveryStore(
  'a lone surrogate or NUL in any text field is refused with 400 invalid_request, and the chain holds',
  async (plane) => {
    for (const field of FIELDS) {
      for (const text of ILL_FORMED) {
        const answer = await field.send(plane, text);
        assert.equal(answer.status, 400, `${field.name} = ${JSON.stringify(text)}: ${JSON.stringify(answer.body)}`);
        assertAnswer(field.name, text, answer);
      }
    }
    await assertChainHolds(plane);
  },
);

onEveryStore(
  'any text in any field is accepted or refused as bad input, and the audit chain verifies after it',
  async (plane) => {
    const accepted: { ruleId: string; reason: string }[] = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIELDS), anyText, async (field, text) => {
        const answer = await field.send(plane, text);
        assertAnswer(field.name, text, answer);
        if (field === FIELDS[0] && answer.status === 201)
          accepted.push({ ruleId: answer.body.rule.id, reason: text.trim() });
      }),
      { numRuns: 200 },
    );
    await assertChainHolds(plane);
    // An accepted kill reason reads back from the audit log exactly as it was sent.
    const entries = await plane.cp.store.audit.list({ limit: 1_000_000 });
    for (const { ruleId, reason } of accepted) {
      const entry = entries.find((candidate) => candidate.action === 'rule-created' && candidate.ruleId === ruleId);
      assert.equal(entry?.reason, reason);
    }
  },
);

describe('text in the configuration file is well-formed too', () => {
  it("refuses a sentinel's tool holding a lone surrogate or NUL: its trips would be audited", async () => {
    for (const tool of ['"mail.\\ud800"', '"mail.\\0"']) {
      const path = join(await mkdtemp(join(tmpdir(), 'estop-text-config-')), 'estop.yaml');
      await writeFile(path, `sentinel: [{name: a, signal: writes, threshold: 5, window: 1m, tool: ${tool}}]\n`);
      await assert.rejects(loadServerConfig({ config: path }, {}), /tool/, tool);
    }
  });
});

onEveryStore('a refused change is audited with whatever its path held, and the chain holds', async (plane) => {
  // Percent-escapes of a surrogate's bytes, of NUL, of a byte that is no UTF-8, and of a whole emoji.
  for (const escaped of ['%ED%A0%80', '%00', '%FF', 'a%C0%80b', '%F0%9F%9B%91']) {
    for (const token of [null, await plane.cp.token('viewer')]) {
      const answer = await plane.cp.request(`/v1/rules/${escaped}/lift`, { token, body: { reason: 'r' } });
      assert.ok([400, 401, 403, 404].includes(answer.status), `${escaped}: ${answer.status}`);
      assert.equal(answer.type, 'application/problem+json');
    }
  }
  await assertChainHolds(plane);
});
