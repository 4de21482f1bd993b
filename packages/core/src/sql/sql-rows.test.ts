import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEntry } from '../audit.js';
import type { EnforcerRecord } from '../enforcer.js';
import type { RuleLift } from '../rule.js';
import type { TokenRecord } from '../token.js';
import { makeEnforcer, makeRule, makeToken, minutesIn, OPERATOR } from '../testing/store-fixtures.js';
import { AUDIT_COLUMNS, auditFromRow, auditValues, type AuditRow } from './audit-rows.js';
import { ENFORCER_COLUMNS, enforcerFromRow, enforcerValues, type EnforcerRow } from './enforcer-rows.js';
import {
  LIFT_COLUMNS,
  RULE_INSERT_COLUMNS,
  liftValues,
  ruleFromRow,
  ruleRecordFromRow,
  ruleValues,
  type RuleRow,
} from './rule-rows.js';
import type { SqlDialect } from './sql-dialect.js';
import { TOKEN_COLUMNS, tokenFromRow, tokenValues, type TokenRow } from './token-rows.js';

const types = {
  text: '',
  integer: '',
  bigint: '',
  boolean: '',
  false: '',
  json: '',
  ordinal: '',
  keyedTableSuffix: '',
};

/** A driver that hands JSON back as text and booleans as 1 or 0, as SQLite's does. */
const TEXT_DIALECT: SqlDialect = {
  types,
  bindBoolean: (value) => (value ? 1 : 0),
  readBoolean: (column) => column === 1,
  readJson: (column) => JSON.parse(column as string),
};

/** A driver that parses JSON columns and returns 64-bit integers as text, as pg does. */
const PARSING_DIALECT: SqlDialect = {
  types,
  bindBoolean: (value) => value,
  readBoolean: (column) => column === true,
  readJson: (column) => column,
};

const JSON_COLUMNS = new Set(['scope', 'actor', 'lift_actor', 'data', 'changes']);
const BIGINT_COLUMNS = new Set(['seq', 'version', 'created_version', 'lifted_version']);

/** The row a driver of `dialect` would return for `values` written to `columns`. */
function stored(columns: string, values: readonly unknown[], dialect: SqlDialect): Record<string, unknown> {
  const names = columns.split(',').map((column) => column.trim());
  return Object.fromEntries(
    names.map((name, index) => {
      const value = values[index] ?? null;
      if (dialect === TEXT_DIALECT || value === null) return [name, value];
      if (JSON_COLUMNS.has(name)) return [name, JSON.parse(value as string)];
      if (BIGINT_COLUMNS.has(name)) return [name, String(value)];
      return [name, value];
    }),
  );
}

for (const [name, dialect] of [
  ['JSON as text, booleans as 1 or 0', TEXT_DIALECT],
  ['JSON parsed, 64-bit integers as text', PARSING_DIALECT],
] as const) {
  describe(`what the row codecs write reads back the same (${name})`, () => {
    it('a rule, with and without its lift and expiry', () => {
      const rule = makeRule('r1', { scope: { tool: 'email.*' }, cancelInFlight: true, expiresAt: minutesIn(5) });
      const row = stored(RULE_INSERT_COLUMNS, ruleValues(rule, 3, dialect), dialect);
      const unlifted = { ...row, lifted_at: null, lift_actor: null, lift_reason: null, lift_expired: null };
      assert.deepEqual(ruleFromRow(unlifted as unknown as RuleRow, dialect), rule);
      assert.deepEqual(ruleRecordFromRow(unlifted as unknown as RuleRow, dialect), { rule });
      const lift: RuleLift = { ruleId: 'r1', actor: OPERATOR, reason: 'done', at: minutesIn(1), expired: true };
      const liftRow = stored([...LIFT_COLUMNS, 'id'].join(', '), liftValues(lift, 5, dialect), dialect);
      const lifted = { ...row, ...liftRow };
      assert.deepEqual(ruleRecordFromRow(lifted as unknown as RuleRow, dialect), { rule, lift });
      const plain = makeRule('r2');
      const plainRow = stored(RULE_INSERT_COLUMNS, ruleValues(plain, 4, dialect), dialect);
      assert.deepEqual(ruleFromRow({ ...plainRow, lifted_at: null } as unknown as RuleRow, dialect), plain);
    });

    it('an audit entry, with its optional fields present and absent', () => {
      const full: AuditEntry = {
        seq: 7,
        at: minutesIn(2),
        action: 'rule-created',
        actor: OPERATOR,
        reason: 'why',
        scope: { tenant: 'acme' },
        ruleId: 'r1',
        data: { n: 1, nested: { text: 'a\u0000b' } },
        prevHash: 'p',
        hash: 'h',
      };
      const bare: AuditEntry = {
        seq: 8,
        at: minutesIn(3),
        action: 'rule-expired',
        actor: OPERATOR,
        prevHash: 'h',
        hash: 'i',
      };
      for (const entry of [full, bare]) {
        const row = stored(AUDIT_COLUMNS, auditValues(entry), dialect) as unknown as AuditRow;
        assert.deepEqual(auditFromRow(row, dialect), entry);
      }
    });

    it('a token, bound to an agent or to any agent, revoked or not', () => {
      const tokens = [
        makeToken('t1', { role: 'agent', tenant: undefined }),
        makeToken('t2', { role: 'agent', tenant: 'acme', agent: 'mailer', revokedAt: minutesIn(9) }),
        makeToken('t3', { role: 'agent', anyAgent: true }),
      ].map((token) => JSON.parse(JSON.stringify(token)) as TokenRecord);
      for (const token of tokens) {
        const row = stored(TOKEN_COLUMNS, tokenValues(token, dialect), dialect) as unknown as TokenRow;
        assert.deepEqual(tokenFromRow(row, dialect), token);
      }
    });

    it('an enforcer, with and without its host, pid and tenant', () => {
      const enforcers = [
        makeEnforcer('e1', { host: undefined, pid: undefined }),
        makeEnforcer('e2', { kind: 'gateway', tenant: 'acme' }),
      ].map((enforcer) => JSON.parse(JSON.stringify(enforcer)) as EnforcerRecord);
      for (const enforcer of enforcers) {
        const row = stored(ENFORCER_COLUMNS, enforcerValues(enforcer), dialect) as unknown as EnforcerRow;
        assert.deepEqual(enforcerFromRow(row), enforcer);
      }
    });
  });
}
