import assert from 'node:assert/strict';
import { describe } from 'node:test';
import fc from 'fast-check';
import { AUDIT_ACTIONS, verifyChain, type AuditDraft, type AuditEntry } from '../audit.js';
import { canonicalJson } from '../canonical-json.js';
import type { Store } from '../ports/store.js';
import { findIllFormedText } from '../well-formed-text.js';
import { sha256Hex } from './sha256-hex.js';
import { makeRule, minutesIn, OPERATOR } from './store-fixtures.js';
import type { StoreTest } from './store-test.js';

/** Any UTF-16 text: lone surrogates, NUL, control characters, astral characters. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.constantFrom('\ud800', 'a\udc00b', '\u0000', 'x\u0000\ud83d', '🛑 stop', '', 'NULL', '"\\{a,b}'),
);

const jsonLeaf = fc.oneof(anyText, fc.integer(), fc.boolean(), fc.constant(null));

const draftArbitrary: fc.Arbitrary<AuditDraft> = fc.record(
  {
    at: fc.constant(minutesIn(1)),
    action: fc.constantFrom(...AUDIT_ACTIONS),
    actor: fc.record(
      { id: anyText, kind: fc.constantFrom('human', 'agent', 'system') as fc.Arbitrary<'human'> },
      { noNullPrototype: true },
    ),
    reason: anyText,
    scope: fc.record(
      { tenant: anyText, agent: anyText, run: anyText, tool: anyText },
      { requiredKeys: [], noNullPrototype: true },
    ),
    ruleId: anyText,
    data: fc.dictionary(anyText, fc.oneof(jsonLeaf, fc.array(jsonLeaf, { maxLength: 3 })), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
  },
  { requiredKeys: ['at', 'action', 'actor'], noNullPrototype: true },
);

/** The hashed text of each entry, as `verifyChain` recomputes it: what "equal to what was hashed" means. */
function hashedTexts(entries: readonly AuditEntry[]): string[] {
  return entries.map((entry) => canonicalJson(entry));
}

/** One way an audit draft reaches a store: appended alone, or with a rule or a draft in one transaction. */
type Appender = (store: Store, draft: AuditDraft, index: number) => Promise<AuditEntry[]>;

const appenders: Record<string, Appender> = {
  'appended alone': (store, draft) => store.audit.append([draft]),
  'committed with a rule': async (store, draft, index) =>
    (await store.rules.commit({ create: [makeRule(`r-text-${index}`)], audit: [draft], at: minutesIn(1) })).audit,
  'recorded with a draft': async (store, draft, index) => [
    await store.drafts.create(
      {
        id: `d-text-${index}`,
        tenant: 'acme',
        tool: 'mail.send',
        args: { to: 'a@example.com' },
        actor: OPERATOR,
        at: minutesIn(1),
      },
      draft,
    ),
  ],
};

/**
 * Cases for the audit log's integrity under any text: whatever a draft holds (lone surrogates,
 * NUL, any code unit in any field and key), the store keeps exactly what was hashed, so the
 * chain verifies and reads back equal to what `append` returned.
 */
export function describeAuditText(test: StoreTest): void {
  describe('nothing appended to the audit log can break its chain, whatever text it holds', () => {
    for (const [how, append] of Object.entries(appenders)) {
      test(`any text ${how} reads back as it was hashed, and the chain verifies`, async (store) => {
        const appended: AuditEntry[] = [];
        let index = 0;
        await fc.assert(
          fc.asyncProperty(draftArbitrary, async (draft) => {
            const entries = await append(store, draft, (index += 1));
            // What a store keeps is well-formed text: PostgreSQL cannot hold NUL, nor SQLite a lone surrogate.
            assert.equal(findIllFormedText(entries), undefined);
            appended.push(...entries);
          }),
          { numRuns: 60 },
        );
        const listed = await store.audit.list({ limit: appended.length + 10 });
        assert.deepEqual(hashedTexts(listed), hashedTexts(appended));
        const verification = verifyChain(listed, sha256Hex);
        assert.equal(verification.ok, true, verification.ok ? '' : verification.problem);
        assert.equal(listed.length, appended.length);
      });
    }
  });
}
