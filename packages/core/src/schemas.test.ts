import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MODES } from './modes.js';
import type { Rule, RuleLift } from './rule.js';
import {
  ChangeEventSchema,
  LastEventIdSchema,
  LiftInputSchema,
  RuleInputSchema,
  RuleSchema,
  StateSnapshotSchema,
  StreamResumeSchema,
} from './schemas.js';
import type { ChangeEvent, StateSnapshot } from './state.js';

function issues(result: { success: boolean; error?: { issues: { message: string }[] } }): string {
  assert.equal(result.success, false, 'the input was accepted');
  return (result.error?.issues ?? []).map((issue) => issue.message).join('\n');
}

describe('a rule request is validated at the boundary', () => {
  it('accepts disable_writes and maps it to read_only', () => {
    const input = RuleInputSchema.parse({ mode: 'disable_writes', reason: 'incident 42' });
    assert.equal(input.mode, 'read_only');
  });

  it('accepts every mode by its own name', () => {
    for (const mode of MODES) assert.equal(RuleInputSchema.parse({ mode, reason: 'r' }).mode, mode);
  });

  it('fills in defaults: the global scope, no cancel', () => {
    const input = RuleInputSchema.parse({ mode: 'full_stop', reason: '  spill  ' });
    assert.deepEqual(input.scope, {});
    assert.equal(input.cancelInFlight, false);
    assert.equal(input.reason, 'spill');
  });

  it('rejects an unknown mode, naming the modes it accepts', () => {
    const message = issues(RuleInputSchema.safeParse({ mode: 'stop_everything', reason: 'r' }));
    assert.match(message, /unknown mode "stop_everything"/);
    for (const mode of MODES) assert.ok(message.includes(mode), `the message names ${mode}`);
  });

  it('rejects names of inherited object members as modes', () => {
    for (const mode of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      assert.match(issues(RuleInputSchema.safeParse({ mode, reason: 'r' })), /unknown mode/);
    }
  });

  it('requires a non-empty reason', () => {
    for (const reason of ['', '   ', '\n\t']) {
      assert.match(issues(RuleInputSchema.safeParse({ mode: 'read_only', reason })), /a reason is required/);
    }
    assert.equal(RuleInputSchema.safeParse({ mode: 'read_only' }).success, false);
  });

  it('rejects unknown keys, at the top and in the scope', () => {
    assert.equal(RuleInputSchema.safeParse({ mode: 'read_only', reason: 'r', force: true }).success, false);
    assert.equal(RuleInputSchema.safeParse({ mode: 'read_only', reason: 'r', scope: { team: 'x' } }).success, false);
  });

  it('rejects expiresAt and expiresIn together', () => {
    const message = issues(
      RuleInputSchema.safeParse({
        mode: 'read_only',
        reason: 'r',
        expiresAt: '2030-01-01T00:00:00Z',
        expiresIn: '30m',
      }),
    );
    assert.match(message, /expiresAt or expiresIn, not both/);
  });

  it('parses expiresIn into milliseconds and rejects a bad duration', () => {
    assert.equal(RuleInputSchema.parse({ mode: 'read_only', reason: 'r', expiresIn: '30m' }).expiresIn, 1_800_000);
    assert.match(
      issues(RuleInputSchema.safeParse({ mode: 'read_only', reason: 'r', expiresIn: 'soon' })),
      /not a duration/,
    );
  });

  it('rejects an empty scope dimension', () => {
    assert.equal(RuleInputSchema.safeParse({ mode: 'read_only', reason: 'r', scope: { tenant: '' } }).success, false);
  });
});

// --- Wire values generated at random must survive JSON and parse unchanged. ---

// Names are 1..200 UTF-16 units; a full code point is at most two.
// Any name the API accepts: every Unicode text but control characters.
const name = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 100 })
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .filter((text) => !/[\u0000-\u001f\u007f]/.test(text));
const isoTime = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
const plain = { noNullPrototype: true } as const;
const actor = fc.record(
  { id: name, kind: fc.constantFrom('human' as const, 'agent' as const, 'system' as const) },
  plain,
);
const ruleArbitrary: fc.Arbitrary<Rule> = fc.record(
  {
    id: name,
    scope: fc.record({ tenant: name, agent: name, run: name, tool: name }, { requiredKeys: [], ...plain }),
    mode: fc.constantFrom(...MODES),
    reason: fc.string({ unit: 'binary', maxLength: 50 }),
    actor,
    createdAt: isoTime,
    expiresAt: isoTime,
    cancelInFlight: fc.boolean(),
  },
  { requiredKeys: ['id', 'scope', 'mode', 'reason', 'actor', 'createdAt', 'cancelInFlight'], ...plain },
);
const liftArbitrary: fc.Arbitrary<RuleLift> = fc.record(
  {
    ruleId: name,
    actor,
    reason: fc.string({ maxLength: 50 }),
    at: isoTime,
    expired: fc.boolean(),
  },
  plain,
);
// Zod builds records on plain objects, where a `__proto__` key cannot be set; no tool is named so.
const toolName = name.filter((tool) => tool !== '__proto__');
const snapshotArbitrary: fc.Arbitrary<StateSnapshot> = fc.record(
  {
    version: fc.nat(),
    rules: fc.array(ruleArbitrary, { maxLength: 5 }),
    tools: fc.dictionary(toolName, fc.constantFrom('read' as const, 'write' as const), plain),
  },
  plain,
);
const changeEventArbitrary: fc.Arbitrary<ChangeEvent> = fc.record(
  {
    version: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    at: isoTime,
    changes: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant('rule-created' as const), rule: ruleArbitrary }, plain),
        fc.record({ type: fc.constant('rule-lifted' as const), lift: liftArbitrary }, plain),
      ),
      { maxLength: 5 },
    ),
  },
  plain,
);

function throughJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('wire values round-trip through JSON and their schema unchanged', () => {
  it('round-trips any rule', () => {
    fc.assert(
      fc.property(ruleArbitrary, (rule) => {
        assert.deepEqual(RuleSchema.parse(throughJson(rule)), rule);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips any state snapshot', () => {
    fc.assert(
      fc.property(snapshotArbitrary, (snapshot) => {
        assert.deepEqual(StateSnapshotSchema.parse(throughJson(snapshot)), snapshot);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any change event', () => {
    fc.assert(
      fc.property(changeEventArbitrary, (event) => {
        assert.deepEqual(ChangeEventSchema.parse(throughJson(event)), event);
      }),
      { numRuns: 300 },
    );
  });

  it('drops unknown keys from a stored rule (so newer servers stay readable) and refuses a mode alias', () => {
    fc.assert(
      fc.property(ruleArbitrary, (rule) => {
        assert.deepEqual(RuleSchema.parse({ ...rule, extra: 1 }), RuleSchema.parse(rule));
        assert.equal(RuleSchema.safeParse({ ...rule, mode: 'disable_writes' }).success, false);
      }),
      { numRuns: 100 },
    );
  });

  it('round-trips any stream resume', () => {
    fc.assert(
      fc.property(snapshotArbitrary, ({ version, tools }) => {
        assert.deepEqual(StreamResumeSchema.parse(throughJson({ version, tools })), { version, tools });
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a change event at version 0 and a time without an offset', () => {
    assert.equal(ChangeEventSchema.safeParse({ version: 0, at: '2030-01-01T00:00:00Z', changes: [] }).success, false);
    assert.equal(ChangeEventSchema.safeParse({ version: 1, at: '2030-01-01T00:00:00', changes: [] }).success, false);
    assert.equal(
      ChangeEventSchema.safeParse({ version: 1, at: '2030-01-01T00:00:00+02:00', changes: [] }).success,
      true,
    );
  });
});

describe('input text holds no control characters', () => {
  it('refuses NUL and other control characters in names and reasons, keeps line breaks in reasons', () => {
    assert.equal(RuleInputSchema.safeParse({ mode: 'full_stop', reason: 'a\u0000b' }).success, false);
    assert.equal(
      RuleInputSchema.safeParse({ mode: 'full_stop', reason: 'x', scope: { tenant: 'a\u0007' } }).success,
      false,
    );
    assert.equal(RuleInputSchema.safeParse({ mode: 'full_stop', reason: 'line one\nline two\tend' }).success, true);
    assert.equal(LiftInputSchema.safeParse({ reason: '\u001b[31mred' }).success, false);
  });
});

describe("a stream's Last-Event-ID is a version or nothing", () => {
  it('reads back every version it is given as a decimal number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (version) => {
        assert.equal(LastEventIdSchema.parse(String(version)), version);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses anything else: signs, leading zeros, fractions, spaces, letters, huge numbers', () => {
    for (const text of ['', '-1', '+1', '01', '1.5', ' 1', '1 ', '1e3', '0x10', 'abc', '9'.repeat(16), '٣']) {
      assert.equal(LastEventIdSchema.safeParse(text).success, false, JSON.stringify(text));
    }
  });
});
