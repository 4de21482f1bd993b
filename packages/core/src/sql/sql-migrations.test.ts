import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEstopError } from '../errors.js';
import type { SqlColumnTypes } from './sql-dialect.js';
import { pendingMigrations, sqlMigrations } from './sql-migrations.js';

const TYPES: SqlColumnTypes = {
  text: 'TEXT_T',
  integer: 'INTEGER_T',
  bigint: 'BIGINT_T',
  boolean: 'BOOLEAN_T',
  false: 'FALSE_V',
  json: 'JSON_T',
  ordinal: 'ORDINAL_T',
  keyedTableSuffix: ' SUFFIX_T',
};

describe('one schema, written once, in every dialect', () => {
  it('numbers its steps 1, 2, 3… without a gap, so a database records each applied step by its number', () => {
    const versions = sqlMigrations(TYPES).map((migration) => migration.version);
    assert.deepEqual(
      versions,
      versions.map((_, index) => index + 1),
    );
  });

  it("writes every column in the dialect's types and runs a dialect's additions after a step's shared statements", () => {
    const migrations = sqlMigrations(TYPES, { 1: 'CREATE TABLE extra_head (id TEXT_T);' });
    const first = migrations[0]?.sql ?? '';
    assert.match(first, /scope JSON_T NOT NULL/);
    assert.match(first, /cancel_in_flight BOOLEAN_T NOT NULL/);
    assert.match(first, /ordinal ORDINAL_T,/);
    assert.ok(first.trimEnd().endsWith('CREATE TABLE extra_head (id TEXT_T);'));
    assert.doesNotMatch(migrations[1]?.sql ?? '', /extra_head/);
    const all = migrations.map((migration) => migration.sql).join('\n');
    assert.match(all, /any_agent BOOLEAN_T NOT NULL DEFAULT FALSE_V/);
    assert.match(all, /\) SUFFIX_T;/);
    assert.doesNotMatch(all, /\$\{|undefined/);
  });
});

describe('a database is migrated by the steps it lacks, never past what this code knows', () => {
  const migrations = sqlMigrations(TYPES);
  const newest = migrations.length;

  it('gives the steps not yet applied, in order', () => {
    assert.deepEqual(
      pendingMigrations([], migrations).map((migration) => migration.version),
      migrations.map((migration) => migration.version),
    );
    assert.deepEqual(
      pendingMigrations([1, 2, 4], migrations).map((migration) => migration.version),
      migrations.map((migration) => migration.version).filter((version) => ![1, 2, 4].includes(version)),
    );
    assert.deepEqual(pendingMigrations(new Set(migrations.map((migration) => migration.version)), migrations), []);
  });

  it('refuses a schema newer than it knows with config_invalid, naming both versions', () => {
    assert.throws(
      () => pendingMigrations([1, newest + 1], migrations),
      (error) =>
        isEstopError(error, 'config_invalid') &&
        error.message.includes(`version ${newest + 1}`) &&
        error.message.includes(`(${newest})`),
    );
  });
});
