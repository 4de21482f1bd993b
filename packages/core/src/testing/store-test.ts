import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AuditEntry, AuditHead } from '../audit.js';
import { isEstopError, type ErrorCode } from '../errors.js';
import type { Store } from '../ports/store.js';
import type { Rule } from '../rule.js';
import type { ChangeEvent } from '../state.js';
import type { TokenRecord } from '../token.js';

/** Declares a test that gets a fresh, migrated store and closes it afterwards, pass or fail. */
export type StoreTest = (title: string, body: (store: Store) => Promise<void>) => void;

/**
 * Declares tests that each get a fresh value from `create` (a store, a key store) and close it
 * afterwards, pass or fail.
 */
export function closingTest<T extends { close(): Promise<void> }>(
  create: () => Promise<T>,
): (title: string, body: (value: T) => Promise<void>) => void {
  return (title, body) =>
    it(title, async () => {
      const value = await create();
      try {
        await body(value);
      } finally {
        await value.close();
      }
    });
}

/** Builds the `StoreTest` for one adapter's `create`. */
export function storeTest(create: () => Promise<Store>): StoreTest {
  return closingTest(create);
}

/** For `assert.rejects`: passes only for an EstopError with `code`, and says what came instead. */
export function estopErrorWith(code: ErrorCode): (error: unknown) => true {
  return (error) => {
    assert.ok(isEstopError(error), `expected an EstopError "${code}", got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

/** Everything a store holds, so a test can show that a refused change wrote nothing. */
export interface Footprint {
  state: { version: number; rules: Rule[]; storeId: string };
  events: ChangeEvent[];
  head: AuditHead;
  audit: AuditEntry[];
  tokens: TokenRecord[];
}

/** Reads everything the store holds. */
export async function footprint(store: Store): Promise<Footprint> {
  return {
    state: await store.rules.state(),
    events: await store.rules.changesSince(0),
    head: await store.audit.head(),
    audit: await store.audit.list({ limit: Number.MAX_SAFE_INTEGER }),
    tokens: await store.tokens.list(),
  };
}
