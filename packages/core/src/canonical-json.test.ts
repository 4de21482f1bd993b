import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json.js';

/** The same members with their keys in reverse order, at every depth. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .reverse()
      .map((key) => [key, reverseKeys((value as Record<string, unknown>)[key])]),
  );
}

const json = fc.jsonValue({ maxDepth: 4 });

describe('equal values serialize to the same text whatever their key order', () => {
  it('gives the same text for a value and a key-reordered copy', () => {
    fc.assert(
      fc.property(json, (value) => {
        assert.equal(canonicalJson(reverseKeys(value)), canonicalJson(value));
      }),
    );
  });

  it('gives the same text for an object built from its entries in any order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string(), fc.jsonValue({ maxDepth: 2 })), { selector: ([key]) => key }),
        fc.nat(),
        (entries, seed) => {
          const rotated = entries.map(
            (_, position) => entries[(position + seed) % entries.length] as [string, unknown],
          );
          assert.equal(canonicalJson(Object.fromEntries(rotated)), canonicalJson(Object.fromEntries(entries)));
        },
      ),
    );
  });

  it('sorts keys', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: 'x' } }),
      '{"a":{"c":"x","d":[1,{"y":null,"z":0}]},"b":1}',
    );
  });
});

describe('canonical JSON is JSON of the same value', () => {
  it('parses back to what JSON.stringify would give', () => {
    fc.assert(
      fc.property(json, (value) => {
        assert.deepEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('serializes a member with toJSON, such as a Date, as JSON.stringify does', () => {
    const at = new Date('2030-01-01T00:00:00.000Z');
    assert.equal(canonicalJson({ at }), '{"at":"2030-01-01T00:00:00.000Z"}');
    assert.notEqual(canonicalJson({ at }), canonicalJson({ at: new Date(0) }));
  });
});

describe('undefined members are dropped', () => {
  it('serializes an object with an undefined member like one without it', () => {
    assert.equal(canonicalJson({ a: 1, b: undefined }), '{"a":1}');
    assert.equal(canonicalJson({ nested: { x: undefined, y: 2 } }), canonicalJson({ nested: { y: 2 } }));
    assert.equal(canonicalJson({ only: undefined }), '{}');
  });

  it('drops undefined members at any depth, for any value', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined })), (value) => {
        const defined = Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined));
        assert.equal(canonicalJson(value), canonicalJson(defined));
      }),
    );
  });

  it('writes undefined array items as null, as JSON does', () => {
    assert.equal(canonicalJson([1, undefined, 2]), '[1,null,2]');
    assert.equal(canonicalJson(undefined), 'null');
  });

  it('reads a value as JSON.stringify does: functions and symbols dropped as members, toJSON used', () => {
    const value = { b: () => 1, a: Symbol('s'), when: new Date(0), list: [() => 1], n: 1 };
    assert.equal(canonicalJson(value), canonicalJson(JSON.parse(JSON.stringify(value))));
    assert.equal(canonicalJson(value), '{"list":[null],"n":1,"when":"1970-01-01T00:00:00.000Z"}');
  });
});
