import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AUDIT_ACTIONS, EMPTY_HEAD, chainEntries, verifyChain, type AuditDraft, type AuditEntry } from './audit.js';
import { DraftInputSchema, IdempotencyClaimInputSchema } from './governance-schemas.js';
import { EnforcerRegistrationSchema, LiftInputSchema, RuleInputSchema, TokenInputSchema } from './schemas.js';
import {
  findIllFormedText,
  isWellFormedText,
  toWellFormedText,
  toWellFormedValue,
  wellFormedJson,
} from './well-formed-text.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Any sequence of UTF-16 code units: lone surrogates and NUL included. */
const anyText = fc.string({ unit: 'binary', maxLength: 30 });
const illFormed = ['\ud800', 'a\udc00b', 'tail\udbff', '\udfff\ud800', 'nul\u0000', '\u0000'];

/** A string as a UTF-8 store (SQLite TEXT, PostgreSQL text) keeps it: lone surrogates become U+FFFD. */
function throughUtf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** A value as a UTF-8 store gives it back: each string and key through UTF-8. */
function storedAs<T>(value: T): T {
  if (typeof value === 'string') return throughUtf8(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(storedAs) as T;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [throughUtf8(key), storedAs(item)])) as T;
}

describe('well-formed text is what a UTF-8 store gives back unchanged', () => {
  it('isWellFormedText holds exactly for text a UTF-8 round trip keeps and that holds no NUL', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        assert.equal(isWellFormedText(text), throughUtf8(text) === text && !text.includes('\u0000'));
      }),
      { numRuns: 2000 },
    );
  });

  it('a surrogate pair (an emoji, a rare CJK character) is well-formed; half of one is not', () => {
    assert.equal(isWellFormedText('stop 🛑 𠀀'), true);
    for (const text of illFormed) assert.equal(isWellFormedText(text), false, JSON.stringify(text));
  });

  it('toWellFormedText gives well-formed text a UTF-8 store keeps, and leaves well-formed text alone', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const made = toWellFormedText(text);
        assert.equal(isWellFormedText(made), true);
        assert.equal(throughUtf8(made), made);
        if (isWellFormedText(text)) assert.equal(made, text);
      }),
    );
  });

  it('findIllFormedText answers for arguments nested a million deep instead of overflowing the stack', () => {
    const depth = 1_000_000;
    const deep = JSON.parse('['.repeat(depth) + '"x\\ud800"' + ']'.repeat(depth)) as unknown;
    assert.equal(findIllFormedText(deep)?.length, 1 + depth * 3);
    assert.equal(findIllFormedText(JSON.parse('['.repeat(depth) + ']'.repeat(depth))), undefined);
  });

  it('findIllFormedText finds a bad key after a bad value nested under an earlier key first', () => {
    assert.equal(findIllFormedText({ a: { b: 'x\u0000' }, ['k\ud800']: 1 }), '$.a.b');
    assert.equal(findIllFormedText({ ['k\ud800']: { b: 'x\u0000' } }), '$.k\ud800');
  });

  it('findIllFormedText names the first string or key that is not well-formed, deep in JSON', () => {
    assert.equal(findIllFormedText({ to: ['ok', 'x\ud800'] }), '$.to[1]');
    assert.equal(findIllFormedText({ ['k\u0000']: 1 }), '$.k\u0000');
    assert.equal(findIllFormedText({ a: [1, null, true, { b: 'fine 🛑' }] }), undefined);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const made = toWellFormedValue(value);
        assert.equal(findIllFormedText(made), undefined);
        if (findIllFormedText(value) === undefined) assert.equal(made, value);
      }),
    );
  });

  it('toWellFormedValue keeps a __proto__ key a plain member', () => {
    const value = JSON.parse('{"__proto__": {"x": "\\ud800"}}') as Record<string, unknown>;
    const made = toWellFormedValue(value);
    assert.deepEqual(Object.keys(made), ['__proto__']);
    assert.equal(Object.getPrototypeOf(made), Object.prototype);
  });
});

describe('every text field of the wire schemas refuses ill-formed Unicode and NUL', () => {
  const cases: [string, (text: string) => { success: boolean }][] = [
    ['a rule reason', (text) => RuleInputSchema.safeParse({ reason: `stop ${text}` })],
    ['a rule scope tenant', (text) => RuleInputSchema.safeParse({ reason: 'r', scope: { tenant: text } })],
    ['a rule scope tool', (text) => RuleInputSchema.safeParse({ reason: 'r', scope: { tool: `db.${text}` } })],
    ['a lift reason', (text) => LiftInputSchema.safeParse({ reason: `restore ${text}` })],
    ['a token name', (text) => TokenInputSchema.safeParse({ name: text, role: 'viewer' })],
    ['a draft tool name', (text) => DraftInputSchema.safeParse({ tenant: 'acme', tool: `mail.${text}` })],
    ['a draft argument', (text) => DraftInputSchema.safeParse({ tenant: 'acme', tool: 't', args: { to: text } })],
    ['a draft argument key', (text) => DraftInputSchema.safeParse({ tenant: 'acme', tool: 't', args: { [text]: 1 } })],
    [
      'an idempotency key',
      (text) => IdempotencyClaimInputSchema.safeParse({ tenant: 'acme', tool: 't', key: text, windowMs: 1000 }),
    ],
    [
      'an enforcer host',
      (text) => EnforcerRegistrationSchema.safeParse({ id: 'e1', name: 'e', kind: 'sdk', host: text }),
    ],
  ];
  for (const [field, parse] of cases) {
    it(`${field}`, () => {
      for (const text of illFormed) assert.equal(parse(text).success, false, JSON.stringify(text));
      assert.equal(parse('fine-🛑').success, true);
    });
  }

  it('wellFormedJson says where the ill-formed text is', () => {
    const result = wellFormedJson().safeParse({ a: { b: 'x\udc00' } });
    assert.equal(result.success, false);
    assert.match(result.error?.issues[0]?.message ?? '', /^\$\.a\.b must be well-formed Unicode/);
  });
});

const draftArbitrary: fc.Arbitrary<AuditDraft> = fc.record(
  {
    at: fc.constant('2026-12-07T03:00:00.000Z'),
    action: fc.constantFrom(...AUDIT_ACTIONS),
    actor: fc.record({ id: anyText, kind: fc.constant('human' as const) }, { noNullPrototype: true }),
    reason: anyText,
    scope: fc.record(
      { tenant: anyText, agent: anyText, run: anyText, tool: anyText },
      { requiredKeys: [], noNullPrototype: true },
    ),
    ruleId: anyText,
    data: fc.dictionary(anyText, fc.oneof(anyText, fc.integer(), fc.array(anyText, { maxLength: 3 })), {
      maxKeys: 3,
      noNullPrototype: true,
    }),
  },
  { requiredKeys: ['at', 'action', 'actor'], noNullPrototype: true },
);

describe('an audit entry is hashed as a store keeps it', () => {
  it('a chain of any text, kept by a UTF-8 store and read back, verifies and equals what was chained', () => {
    fc.assert(
      fc.property(fc.array(draftArbitrary, { minLength: 1, maxLength: 6 }), (drafts) => {
        const entries = chainEntries(EMPTY_HEAD, drafts, sha256);
        // PostgreSQL refuses NUL outright: nothing chained may hold one.
        assert.equal(findIllFormedText(entries), undefined);
        const readBack = entries.map((entry) => storedAs<AuditEntry>(entry));
        assert.deepEqual(readBack, entries);
        assert.equal(verifyChain(readBack, sha256).ok, true);
      }),
      { numRuns: 300 },
    );
  });

  it('a kill reason holding a lone surrogate is chained as U+FFFD', () => {
    const [entry] = chainEntries(
      EMPTY_HEAD,
      [
        {
          at: '2026-12-07T03:00:00.000Z',
          action: 'rule-created',
          actor: { id: 'ops', kind: 'human' },
          reason: 'x\ud800',
        },
      ],
      sha256,
    );
    assert.equal(entry?.reason, 'x\uFFFD');
  });
});
