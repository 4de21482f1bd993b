import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Call, Effect } from './call.js';
import { decide } from './decide.js';
import { ALLOW, writeOutcome, type Decision, type Outcome } from './decision.js';
import { MODES, modeRank, type Mode } from './modes.js';
import type { Rule } from './rule.js';
import { TOOL_MEMO_LIMIT, buildRuleIndex, createFloor } from './rule-index.js';
import type { Scope } from './scope.js';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');
const ACTOR = { id: 'ops', kind: 'human' } as const;

const TENANTS = ['acme', 'globex', 'initech'];
const AGENTS = ['planner', 'mailer'];
const RUNS = ['run-1', 'run-2'];
const TOOLS = ['email.send', 'email.read', 'sms.send', 'browser.open', 'browser.click', 'a+b.c', 'db.query'];
const GLOBS = [
  'email.send',
  'email.*',
  '*.send',
  '*',
  'browser.*',
  'b?owser.open',
  'a+b.c',
  '*.*',
  'e*l.send',
  'db.query',
];

let nextId = 0;
function rule(scope: Scope, mode: Mode, expiresAt?: string, startsAt?: string): Rule {
  nextId += 1;
  const base = { id: `rule-${nextId}`, scope, mode, reason: `because ${nextId}`, actor: ACTOR };
  const rest = { createdAt: '2029-12-31T00:00:00.000Z', cancelInFlight: false };
  return {
    ...base,
    ...rest,
    ...(startsAt === undefined ? {} : { startsAt }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

function indexOf(rules: Rule[], tools: Record<string, Effect> = {}) {
  return buildRuleIndex({ version: 1, rules, tools });
}

// --- The reference: the decision law written as plainly as possible. ---

function globMatches(glob: string, text: string): boolean {
  if (glob.length === 0) return text.length === 0;
  const [head, rest] = [glob[0], glob.slice(1)];
  if (head === '*') {
    for (let skip = 0; skip <= text.length; skip++) if (globMatches(rest, text.slice(skip))) return true;
    return false;
  }
  if (text.length === 0) return false;
  return (head === '?' || head === text[0]) && globMatches(rest, text.slice(1));
}

function ruleMatches(candidate: Rule, call: Call, nowMs: number): boolean {
  const { scope } = candidate;
  if (candidate.expiresAt !== undefined && Date.parse(candidate.expiresAt) <= nowMs) return false;
  if (candidate.startsAt !== undefined && Date.parse(candidate.startsAt) > nowMs) return false;
  if (scope.tenant !== undefined && scope.tenant !== call.tenant) return false;
  if (scope.agent !== undefined && scope.agent !== call.agent) return false;
  if (scope.run !== undefined && scope.run !== call.run) return false;
  if (scope.tool !== undefined && !globMatches(scope.tool, call.tool)) return false;
  return true;
}

function referenceMode(
  rules: Rule[],
  tools: Record<string, Effect>,
  call: Call,
  nowMs: number,
  floor?: Mode,
): Mode | undefined {
  const effect = tools[call.tool] ?? call.effect ?? 'write';
  const modes = rules.filter((candidate) => ruleMatches(candidate, call, nowMs)).map((candidate) => candidate.mode);
  if (floor !== undefined) modes.push(floor);
  const binding = effect === 'read' ? modes.filter((mode) => mode === 'full_stop') : modes;
  let strictest: Mode | undefined;
  for (const mode of binding) if (strictest === undefined || modeRank(mode) > modeRank(strictest)) strictest = mode;
  return strictest;
}

function referenceOutcome(mode: Mode | undefined): Outcome {
  return mode === undefined ? 'allow' : writeOutcome(mode);
}

// --- Arbitraries over a small world, so that rules and calls collide often. ---

const modeArbitrary = fc.constantFrom(...MODES);
const scopeArbitrary: fc.Arbitrary<Scope> = fc.record(
  {
    tenant: fc.constantFrom(...TENANTS),
    agent: fc.constantFrom(...AGENTS),
    run: fc.constantFrom(...RUNS),
    tool: fc.constantFrom(...GLOBS),
  },
  { requiredKeys: [] },
);
// Expiry before, exactly at, or after NOW, or none.
const expiryArbitrary = fc.option(
  fc.integer({ min: -3, max: 3 }).map((offset) => new Date(NOW + offset * 60_000).toISOString()),
  { nil: undefined },
);
// A scheduled start before, exactly at, or after NOW, or none (in force from its creation).
const startArbitrary = fc.option(
  fc.integer({ min: -3, max: 3 }).map((offset) => new Date(NOW + offset * 60_000).toISOString()),
  { nil: undefined },
);
const ruleArbitrary = fc
  .tuple(scopeArbitrary, modeArbitrary, expiryArbitrary, startArbitrary)
  .map(([scope, mode, expiresAt, startsAt]) => rule(scope, mode, expiresAt, startsAt));
const rulesArbitrary = fc.array(ruleArbitrary, { maxLength: 12 });
const callArbitrary: fc.Arbitrary<Call> = fc.record(
  {
    tenant: fc.constantFrom(...TENANTS, 'umbrella'),
    agent: fc.constantFrom(...AGENTS, 'other-agent'),
    run: fc.constantFrom(...RUNS),
    tool: fc.constantFrom(...TOOLS, 'unknown.tool'),
    effect: fc.constantFrom<Effect>('read', 'write'),
  },
  { requiredKeys: ['tenant', 'tool'] },
);
const toolsArbitrary = fc.dictionary(fc.constantFrom(...TOOLS), fc.constantFrom<Effect>('read', 'write'), {
  noNullPrototype: true,
});
const nowArbitrary = fc.integer({ min: -4, max: 4 }).map((offset) => NOW + offset * 60_000);

function assertAgrees(decision: Decision, expected: Mode | undefined, rules: Rule[], call: Call, nowMs: number): void {
  assert.equal(decision.outcome, referenceOutcome(expected));
  assert.equal(decision.mode, expected);
  if (expected === undefined) return;
  const source = rules.find((candidate) => candidate.id === decision.ruleId);
  assert.ok(source !== undefined, 'a restrictive decision names the rule it came from');
  assert.equal(source.mode, expected);
  assert.ok(ruleMatches(source, call, nowMs), 'the named rule matches the call');
}

describe('the most restrictive matching rule wins', () => {
  it('agrees with a plain reference implementation for random rules and calls', () => {
    fc.assert(
      fc.property(rulesArbitrary, toolsArbitrary, callArbitrary, nowArbitrary, (rules, tools, call, nowMs) => {
        const decision = decide(indexOf(rules, tools), call, nowMs);
        assertAgrees(decision, referenceMode(rules, tools, call, nowMs), rules, call, nowMs);
      }),
      { numRuns: 2000 },
    );
  });

  it('picks full_stop over read_only over draft_only over approval_gated', () => {
    const rules = MODES.map((mode) => rule({ tenant: 'acme' }, mode));
    for (let count = 1; count <= rules.length; count++) {
      const decision = decide(indexOf(rules.slice(0, count)), { tenant: 'acme', tool: 'email.send' }, NOW);
      assert.equal(decision.mode, MODES[count - 1]);
    }
    const reversed = indexOf([...rules].reverse());
    assert.equal(decide(reversed, { tenant: 'acme', tool: 'email.send' }, NOW).mode, 'full_stop');
  });

  it('maps each mode to its outcome for a write', () => {
    const expected: Record<Mode, Outcome> = {
      approval_gated: 'needs_approval',
      draft_only: 'draft',
      read_only: 'deny',
      full_stop: 'deny',
    };
    for (const mode of MODES) {
      const decision = decide(indexOf([rule({ tenant: 'acme' }, mode)]), { tenant: 'acme', tool: 'x' }, NOW);
      assert.equal(decision.outcome, expected[mode]);
    }
  });

  it('names the earliest of equally restrictive rules, whatever weaker rules come between', () => {
    const first = rule({ tenant: 'acme', tool: 'email.*' }, 'read_only');
    const second = rule({ tenant: 'acme' }, 'read_only');
    const weaker = rule({ tenant: 'acme' }, 'draft_only');
    const index = indexOf([weaker, first, second]);
    assert.equal(decide(index, { tenant: 'acme', tool: 'email.send' }, NOW).ruleId, first.id);
    assert.equal(decide(index, { tenant: 'acme', tool: 'sms.send' }, NOW).ruleId, second.id);
  });

  it('allows a call that no rule matches', () => {
    assert.equal(decide(indexOf([]), { tenant: 'acme', tool: 'email.send' }, NOW), ALLOW);
  });
});

describe('the outcome does not depend on the order rules were added', () => {
  it('decides every call alike for an index built from a shuffled copy of the rules', () => {
    const worldCalls: Call[] = [];
    for (const tenant of [...TENANTS, 'umbrella'])
      for (const agent of [undefined, ...AGENTS])
        for (const run of [undefined, ...RUNS])
          for (const tool of TOOLS)
            for (const effect of [undefined, 'read', 'write'] as const)
              worldCalls.push({ tenant, agent, run, tool, effect });
    fc.assert(
      fc.property(
        rulesArbitrary.chain((rules) =>
          fc.tuple(fc.constant(rules), fc.shuffledSubarray(rules, { minLength: rules.length })),
        ),
        ([rules, shuffled]) => {
          const original = indexOf(rules);
          const reordered = indexOf(shuffled);
          for (const call of worldCalls) {
            const first = decide(original, call, NOW);
            const second = decide(reordered, call, NOW);
            assert.equal(second.outcome, first.outcome);
            assert.equal(second.mode, first.mode);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('reads pass every mode but full_stop', () => {
  for (const mode of ['approval_gated', 'draft_only', 'read_only'] as const) {
    it(`allows a read under ${mode} and restricts a write`, () => {
      const index = indexOf([rule({ tenant: 'acme' }, mode)]);
      assert.equal(decide(index, { tenant: 'acme', tool: 'email.read', effect: 'read' }, NOW), ALLOW);
      assert.notEqual(decide(index, { tenant: 'acme', tool: 'email.send', effect: 'write' }, NOW).outcome, 'allow');
    });
  }

  it('denies a read under full_stop', () => {
    const index = indexOf([rule({ tenant: 'acme' }, 'full_stop')]);
    const decision = decide(index, { tenant: 'acme', tool: 'email.read', effect: 'read' }, NOW);
    assert.equal(decision.outcome, 'deny');
    assert.equal(decision.mode, 'full_stop');
  });

  it('lets a full_stop deny a read even when a weaker rule matched first', () => {
    const index = indexOf([
      rule({ tenant: 'acme' }, 'read_only'),
      rule({ tenant: 'acme', tool: 'email.*' }, 'full_stop'),
    ]);
    assert.equal(decide(index, { tenant: 'acme', tool: 'email.read', effect: 'read' }, NOW).mode, 'full_stop');
  });
});

describe('a tool of unknown effect is a write', () => {
  it('restricts a call that states no effect and whose tool the state does not know', () => {
    const index = indexOf([rule({ tenant: 'acme' }, 'read_only')]);
    assert.equal(decide(index, { tenant: 'acme', tool: 'mystery.tool' }, NOW).outcome, 'deny');
  });
});

describe("the state's tool effects override the call's", () => {
  const index = indexOf([rule({ tenant: 'acme' }, 'read_only')], { 'email.send': 'write', 'email.read': 'read' });

  it('treats a known write tool as a write even when the call claims it reads', () => {
    assert.equal(decide(index, { tenant: 'acme', tool: 'email.send', effect: 'read' }, NOW).outcome, 'deny');
  });

  it('treats a known read tool as a read even when the call says it writes', () => {
    assert.equal(decide(index, { tenant: 'acme', tool: 'email.read', effect: 'write' }, NOW), ALLOW);
  });

  it('lets the state override effects known locally', () => {
    const local = buildRuleIndex(
      { version: 1, rules: [rule({}, 'read_only')], tools: { x: 'write' } },
      { x: 'read', y: 'read' },
    );
    assert.equal(decide(local, { tenant: 'acme', tool: 'x' }, NOW).outcome, 'deny');
    assert.equal(decide(local, { tenant: 'acme', tool: 'y' }, NOW), ALLOW);
  });
});

describe('an expired rule never matches', () => {
  const expiresAt = new Date(NOW).toISOString();
  const index = indexOf([rule({ tenant: 'acme' }, 'full_stop', expiresAt)]);
  const call = { tenant: 'acme', tool: 'email.send' };

  it('matches before its expiry', () => {
    assert.equal(decide(index, call, NOW - 1).outcome, 'deny');
  });

  it('stops matching at and after its expiry', () => {
    assert.equal(decide(index, call, NOW), ALLOW);
    assert.equal(decide(index, call, NOW + 60_000), ALLOW);
  });

  it('lets a live weaker rule decide once a stronger one expired', () => {
    const both = indexOf([rule({ tenant: 'acme' }, 'full_stop', expiresAt), rule({ tenant: 'acme' }, 'draft_only')]);
    assert.equal(decide(both, call, NOW + 1).mode, 'draft_only');
  });
});

describe('a scheduled rule matches from its start, by the clock the caller passes', () => {
  const startsAt = new Date(NOW).toISOString();
  const call = { tenant: 'acme', tool: 'email.send' };

  it('matches nothing before its start, and from its start on', () => {
    const index = indexOf([rule({ tenant: 'acme' }, 'full_stop', undefined, startsAt)]);
    assert.equal(decide(index, call, NOW - 1), ALLOW);
    assert.equal(decide(index, call, NOW).outcome, 'deny');
    assert.equal(decide(index, call, NOW + 60_000).outcome, 'deny');
  });

  it('lets a weaker rule in force decide until a stronger scheduled one starts', () => {
    const both = indexOf([
      rule({ tenant: 'acme' }, 'full_stop', undefined, startsAt),
      rule({ tenant: 'acme' }, 'draft_only'),
    ]);
    assert.equal(decide(both, call, NOW - 1).mode, 'draft_only');
    assert.equal(decide(both, call, NOW).mode, 'full_stop');
  });

  it('matches only between its start and its expiry', () => {
    const window = indexOf([rule({ tenant: 'acme' }, 'read_only', new Date(NOW + 60_000).toISOString(), startsAt)]);
    assert.equal(decide(window, call, NOW - 1), ALLOW);
    assert.equal(decide(window, call, NOW + 30_000).mode, 'read_only');
    assert.equal(decide(window, call, NOW + 60_000), ALLOW);
  });
});

describe('a rule matches only when every dimension it names matches', () => {
  const full: Scope = { tenant: 'acme', agent: 'mailer', run: 'run-1', tool: 'email.*' };
  const matching: Call = { tenant: 'acme', agent: 'mailer', run: 'run-1', tool: 'email.send' };
  const index = indexOf([rule(full, 'read_only')]);

  it('matches the call that fits every dimension', () => {
    assert.equal(decide(index, matching, NOW).outcome, 'deny');
  });

  const misses: [string, Call][] = [
    ['tenant', { ...matching, tenant: 'globex' }],
    ['agent', { ...matching, agent: 'planner' }],
    ['agent left out', { ...matching, agent: undefined }],
    ['run', { ...matching, run: 'run-2' }],
    ['run left out', { ...matching, run: undefined }],
    ['tool', { ...matching, tool: 'sms.send' }],
  ];
  for (const [dimension, call] of misses) {
    it(`does not match a call that differs in ${dimension}`, () => {
      assert.equal(decide(index, call, NOW), ALLOW);
    });
  }

  for (const [name, scope] of [
    ['agent', { agent: 'mailer' }],
    ['run', { run: 'run-1' }],
    ['agent and run', { agent: 'mailer', run: 'run-1' }],
    ['tool', { tool: '*.send' }],
  ] as const) {
    it(`matches by ${name} alone across tenants`, () => {
      const scoped = indexOf([rule(scope, 'draft_only')]);
      for (const tenant of TENANTS) assert.equal(decide(scoped, { ...matching, tenant }, NOW).outcome, 'draft');
    });
  }
});

describe('a global rule matches every tenant', () => {
  it('restricts calls of every tenant, agent and tool', () => {
    const index = indexOf([rule({}, 'approval_gated')]);
    for (const tenant of [...TENANTS, 'never-seen'])
      for (const tool of TOOLS)
        assert.equal(decide(index, { tenant, tool, agent: 'a' }, NOW).outcome, 'needs_approval');
  });
});

describe("a tenant's rule leaves other tenants alone", () => {
  it('allows every call of every other tenant', () => {
    const index = indexOf([rule({ tenant: 'acme' }, 'full_stop'), rule({ tenant: 'acme', tool: '*' }, 'read_only')]);
    for (const tenant of ['globex', 'initech', 'acme2', 'acm', 'ACME'])
      for (const tool of TOOLS) assert.equal(decide(index, { tenant, tool }, NOW), ALLOW);
  });
});

describe('the floor acts like a global rule and combines by the most restrictive', () => {
  it('agrees with the reference with the floor counted as a global rule', () => {
    fc.assert(
      fc.property(rulesArbitrary, callArbitrary, modeArbitrary, (rules, call, floorMode) => {
        const floor = createFloor(floorMode, 'state is stale', 'stale');
        const decision = decide(indexOf(rules), call, NOW, floor);
        const expected = referenceMode(rules, {}, call, NOW, floorMode);
        assert.equal(decision.outcome, referenceOutcome(expected));
        assert.equal(decision.mode, expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('restricts writes of any tenant with no rules at all, and lets reads through unless full_stop', () => {
    const empty = indexOf([]);
    const floor = createFloor('read_only', 'no state for 30s', 'stale');
    const decision = decide(empty, { tenant: 'anyone', tool: 'email.send' }, NOW, floor);
    assert.deepEqual(decision, {
      outcome: 'deny',
      mode: 'read_only',
      ruleId: undefined,
      reason: 'no state for 30s',
      source: 'stale',
    });
    assert.equal(decide(empty, { tenant: 'anyone', tool: 'email.read', effect: 'read' }, NOW, floor), ALLOW);
    const stop = createFloor('full_stop', 'break glass', 'break_glass');
    assert.equal(
      decide(empty, { tenant: 'anyone', tool: 'email.read', effect: 'read' }, NOW, stop).source,
      'break_glass',
    );
  });

  it('yields to a stricter rule and overrides a weaker one', () => {
    const floor = createFloor('draft_only', 'stale', 'stale');
    const index = indexOf([rule({ tenant: 'acme' }, 'full_stop'), rule({ tenant: 'globex' }, 'approval_gated')]);
    assert.equal(decide(index, { tenant: 'acme', tool: 'x' }, NOW, floor).source, 'rule');
    const weaker = decide(index, { tenant: 'globex', tool: 'x' }, NOW, floor);
    assert.equal(weaker.source, 'stale');
    assert.equal(weaker.mode, 'draft_only');
  });
});

describe('decisions are shared frozen objects, so deciding allocates none', () => {
  it('returns ALLOW itself for every allowed call', () => {
    fc.assert(
      fc.property(rulesArbitrary, callArbitrary, (rules, call) => {
        const decision = decide(indexOf(rules), call, NOW);
        if (decision.outcome === 'allow') assert.equal(decision, ALLOW);
        assert.ok(Object.isFrozen(decision));
      }),
    );
  });

  it('returns the same object for two calls matched by the same rule', () => {
    const index = indexOf([rule({ tenant: 'acme', tool: 'email.*' }, 'read_only')]);
    const first = decide(index, { tenant: 'acme', tool: 'email.send', agent: 'a' }, NOW);
    const second = decide(index, { tenant: 'acme', tool: 'email.delete', run: 'r' }, NOW);
    assert.equal(first, second);
    assert.ok(Object.isFrozen(first));
    assert.throws(() => {
      (first as { outcome: string }).outcome = 'allow';
    }, TypeError);
  });

  it('returns the same object for a read and a write under full_stop', () => {
    const index = indexOf([rule({ tenant: 'acme' }, 'full_stop')]);
    const read = decide(index, { tenant: 'acme', tool: 'q', effect: 'read' }, NOW);
    assert.equal(read, decide(index, { tenant: 'acme', tool: 'q', effect: 'write' }, NOW));
  });

  it('gives the same answers when decide runs in a loop over one index', () => {
    const rules = [
      rule({ tenant: 'acme' }, 'approval_gated'),
      rule({ tenant: 'acme', tool: 'email.*' }, 'read_only'),
      rule({ agent: 'mailer' }, 'draft_only'),
      rule({ tool: '*.send' }, 'approval_gated'),
    ];
    const index = indexOf(rules);
    const calls: Call[] = [];
    for (const tenant of [...TENANTS, 'umbrella'])
      for (const agent of [undefined, ...AGENTS]) for (const tool of TOOLS) calls.push({ tenant, agent, tool });
    const first = calls.map((call) => decide(index, call, NOW));
    for (let round = 0; round < 50; round++)
      calls.forEach((call, position) => assert.equal(decide(index, call, NOW), first[position]));
    calls.forEach((call, position) =>
      assertAgrees(first[position] as Decision, referenceMode(rules, {}, call, NOW), rules, call, NOW),
    );
  });
});

describe('global rules on a tool apply however many tool names the index has seen', () => {
  it('decides a tool first seen after the per-index memo of tool names is full', () => {
    const rules = [
      rule({ tool: '*.send' }, 'read_only'),
      rule({ tool: 'late.*' }, 'draft_only'),
      rule({}, 'approval_gated'),
    ];
    const index = indexOf(rules, { 'late.read': 'read' });
    for (let count = 0; count < TOOL_MEMO_LIMIT; count++) decide(index, { tenant: 'acme', tool: `tool-${count}` }, NOW);
    assert.equal(index.byTool.size, TOOL_MEMO_LIMIT);
    assert.equal(decide(index, { tenant: 'acme', tool: 'late.send' }, NOW).mode, 'read_only');
    assert.equal(decide(index, { tenant: 'acme', tool: 'late.write' }, NOW).mode, 'draft_only');
    assert.equal(decide(index, { tenant: 'acme', tool: 'late.read', effect: 'write' }, NOW), ALLOW);
    assert.equal(decide(index, { tenant: 'acme', tool: 'other' }, NOW).mode, 'approval_gated');
    assert.equal(index.byTool.size, TOOL_MEMO_LIMIT);
  });

  it('gives a tool the same decision before and after the memo has seen it', () => {
    fc.assert(
      fc.property(
        rulesArbitrary,
        toolsArbitrary,
        fc.array(callArbitrary, { minLength: 1, maxLength: 20 }),
        (rules, tools, calls) => {
          const index = indexOf(rules, tools);
          const first = calls.map((call) => decide(index, call, NOW));
          calls.forEach((call, position) => assert.equal(decide(index, call, NOW), first[position]));
        },
      ),
    );
  });
});
