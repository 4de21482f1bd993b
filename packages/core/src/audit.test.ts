import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json.js';
import {
  AUDIT_ACTIONS,
  auditEntryText,
  EMPTY_HEAD,
  GENESIS_HASH,
  chainEntries,
  verifyChain,
  type AuditDraft,
  type AuditEntry,
} from './audit.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
const draftArbitrary: fc.Arbitrary<AuditDraft> = fc.record(
  {
    at: fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true })
      .map((date) => date.toISOString()),
    action: fc.constantFrom(...AUDIT_ACTIONS),
    actor: fc.record({ id: text, kind: fc.constantFrom('human', 'agent', 'system') as fc.Arbitrary<'human'> }),
    reason: text,
    scope: fc.record({ tenant: text, agent: text, run: text, tool: text }, { requiredKeys: [] }),
    ruleId: text,
    data: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), {
      maxKeys: 3,
      noNullPrototype: true,
    }),
  },
  { requiredKeys: ['at', 'action', 'actor'] },
);
const chainArbitrary = fc
  .array(draftArbitrary, { minLength: 1, maxLength: 8 })
  .map((drafts) => chainEntries(EMPTY_HEAD, drafts, sha256));

const FIELDS = ['seq', 'prevHash', 'hash', 'at', 'action', 'actor', 'reason', 'scope', 'ruleId', 'data'] as const;
type Field = (typeof FIELDS)[number];

/** Changes one field of an entry to a different value that still survives JSON. */
function edit(entry: AuditEntry, field: Field): AuditEntry {
  switch (field) {
    case 'seq':
      return { ...entry, seq: entry.seq + 100 };
    case 'prevHash':
    case 'hash':
      return { ...entry, [field]: sha256(`forged ${entry[field]}`) };
    case 'at':
      return { ...entry, at: new Date(Date.parse(entry.at) + 1).toISOString() };
    case 'action':
      return { ...entry, action: entry.action === 'rule-created' ? 'rule-lifted' : 'rule-created' };
    case 'actor':
      return { ...entry, actor: { ...entry.actor, id: `${entry.actor.id}!` } };
    case 'reason':
    case 'ruleId':
      return { ...entry, [field]: `${entry[field] ?? ''}!` };
    case 'scope':
      return { ...entry, scope: { ...entry.scope, tenant: `${entry.scope?.tenant ?? ''}!` } };
    case 'data':
      return { ...entry, data: { ...entry.data, 'forged-key': true } };
  }
}

type Tampering =
  | { kind: 'edit'; position: number; field: Field }
  | { kind: 'remove'; position: number }
  | { kind: 'swap'; first: number; second: number }
  | { kind: 'insert'; position: number; draft: AuditDraft };

function tamperingArbitrary(length: number): fc.Arbitrary<Tampering> {
  const position = fc.integer({ min: 0, max: length - 1 });
  const options: fc.Arbitrary<Tampering>[] = [
    fc.record({ kind: fc.constant('edit' as const), position, field: fc.constantFrom(...FIELDS) }),
    fc.record({ kind: fc.constant('insert' as const), position, draft: draftArbitrary }),
  ];
  // Removing the last entry leaves a shorter valid chain; only the recorded head reveals it (tested below).
  if (length >= 2) {
    options.push(
      fc.record({ kind: fc.constant('remove' as const), position: fc.integer({ min: 0, max: length - 2 }) }),
    );
    options.push(
      fc
        .uniqueArray(position, { minLength: 2, maxLength: 2 })
        .map(([first, second]) => ({ kind: 'swap' as const, first: first as number, second: second as number })),
    );
  }
  return fc.oneof(...options);
}

function tamper(entries: readonly AuditEntry[], tampering: Tampering): AuditEntry[] {
  const copy = [...entries];
  switch (tampering.kind) {
    case 'edit':
      copy[tampering.position] = edit(copy[tampering.position] as AuditEntry, tampering.field);
      return copy;
    case 'remove':
      copy.splice(tampering.position, 1);
      return copy;
    case 'swap': {
      const { first, second } = tampering;
      [copy[first], copy[second]] = [copy[second] as AuditEntry, copy[first] as AuditEntry];
      return copy;
    }
    case 'insert': {
      // The forger hashes the entry properly onto its predecessor, as an insider with the code could.
      const previous = tampering.position === 0 ? EMPTY_HEAD : (copy[tampering.position - 1] as AuditEntry);
      const [forged] = chainEntries(previous, [tampering.draft], sha256);
      copy.splice(tampering.position, 0, forged as AuditEntry);
      return copy;
    }
  }
}

describe('a chain built by chainEntries verifies', () => {
  it('verifies any chain from the genesis and reports its head', () => {
    fc.assert(
      fc.property(chainArbitrary, (entries) => {
        const result = verifyChain(entries, sha256);
        const last = entries.at(-1) as AuditEntry;
        assert.deepEqual(result, { ok: true, entries: entries.length, head: { seq: last.seq, hash: last.hash } });
      }),
    );
  });

  it('numbers entries from 1 and points the first at the genesis hash', () => {
    const [first, second] = chainEntries(
      EMPTY_HEAD,
      [
        { at: '2030-01-01T00:00:00.000Z', action: 'rule-created', actor: { id: 'ops', kind: 'human' } },
        { at: '2030-01-01T00:01:00.000Z', action: 'rule-lifted', actor: { id: 'ops', kind: 'human' } },
      ],
      sha256,
    );
    assert.equal(first?.seq, 1);
    assert.equal(first?.prevHash, GENESIS_HASH);
    assert.equal(second?.seq, 2);
    assert.equal(second?.prevHash, first?.hash);
    assert.match(first?.hash ?? '', /^[0-9a-f]{64}$/);
  });

  it('continues a chain from its head, and verifies the continuation from there', () => {
    fc.assert(
      fc.property(chainArbitrary, fc.array(draftArbitrary, { minLength: 1, maxLength: 4 }), (entries, more) => {
        const head = verifyChain(entries, sha256);
        assert.ok(head.ok);
        const continuation = chainEntries(head.head, more, sha256);
        assert.equal(verifyChain(continuation, sha256, head.head).ok, true);
        assert.equal(verifyChain([...entries, ...continuation], sha256).ok, true);
      }),
    );
  });

  it('survives a round trip through JSON', () => {
    fc.assert(
      fc.property(chainArbitrary, (entries) => {
        const stored = JSON.parse(JSON.stringify(entries)) as AuditEntry[];
        assert.equal(verifyChain(stored, sha256).ok, true);
      }),
    );
  });

  it('verifies the empty chain', () => {
    assert.deepEqual(verifyChain([], sha256), { ok: true, entries: 0, head: EMPTY_HEAD });
  });
});

describe('any tampering with a chain is found', () => {
  it('fails at the first entry that is not the original, for any edit, removal, swap or insertion', () => {
    fc.assert(
      fc.property(
        chainArbitrary.chain((entries) => fc.tuple(fc.constant(entries), tamperingArbitrary(entries.length))),
        ([entries, tampering]) => {
          const tampered = tamper(entries, tampering);
          const result = verifyChain(tampered, sha256);
          assert.equal(result.ok, false, `${tampering.kind} went unnoticed`);
          const firstChanged = tampered.findIndex((entry, position) => entry !== entries[position]);
          assert.equal(result.brokenAt, (tampered[firstChanged] as AuditEntry).seq);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('finds an edit in every field of an entry', () => {
    const entries = chainEntries(
      EMPTY_HEAD,
      [1, 2, 3].map((minute) => ({
        at: `2030-01-01T00:0${minute}:00.000Z`,
        action: 'rule-created' as const,
        actor: { id: 'ops', kind: 'human' as const },
        reason: 'incident 42',
        scope: { tenant: 'acme' },
        ruleId: `rule-${minute}`,
        data: { mode: 'read_only' },
      })),
      sha256,
    );
    for (const field of FIELDS) {
      const result = verifyChain(tamper(entries, { kind: 'edit', position: 1, field }), sha256);
      assert.equal(result.ok, false, `an edit of ${field} went unnoticed`);
      assert.equal(result.brokenAt, field === 'seq' ? 102 : 2);
    }
  });

  it('shows a removed last entry only against the recorded head', () => {
    fc.assert(
      fc.property(chainArbitrary, (entries) => {
        const recorded = verifyChain(entries, sha256);
        const truncated = verifyChain(entries.slice(0, -1), sha256);
        assert.ok(recorded.ok && truncated.ok);
        assert.notDeepEqual(truncated.head, recorded.head);
      }),
    );
  });
});

describe('an entry is hashed over the canonical JSON of its fields', () => {
  it('auditEntryText equals canonicalJson of the hashed fields, for any draft', () => {
    fc.assert(
      fc.property(draftArbitrary, fc.nat(), (draft, seq) => {
        const { at, action, actor, reason, scope, ruleId, data } = draft;
        assert.equal(
          auditEntryText(seq, draft),
          canonicalJson({ seq, at, action, actor, reason, scope, ruleId, data }),
        );
      }),
    );
  });
});
