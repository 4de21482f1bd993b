import { z } from 'zod';

// With the `u` flag a surrogate pair is one code point outside this class, so only a lone
// surrogate (half a pair) or NUL matches.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const ILL_FORMED = /[\u0000\uD800-\uDFFF]/u;
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const ILL_FORMED_ALL = /[\u0000\uD800-\uDFFF]/gu;

/** What a refused text field is told. */
export const ILL_FORMED_TEXT_MESSAGE = 'must be well-formed Unicode (no lone surrogates) without NUL';

/**
 * Whether `text` is well-formed Unicode without NUL: what every store keeps and reads back
 * exactly. A lone UTF-16 surrogate is stored by SQLite and PostgreSQL as U+FFFD (or refused),
 * and PostgreSQL refuses NUL, so such text would be read back other than it was hashed.
 */
export function isWellFormedText(text: string): boolean {
  return !ILL_FORMED.test(text);
}

/**
 * The path (`$.args.to[0]`) of the first string or object key in a JSON value that is not
 * well-formed text; undefined when every one is.
 */
export function findIllFormedText(value: unknown, path = '$'): string | undefined {
  // An explicit stack, not recursion: arguments nested a million deep must be answered, not
  // overflow the call stack. Children are pushed last-first so the first one found is the
  // first in document order.
  const pending: Array<[unknown, string]> = [[value, path]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, at] = next;
    if (typeof item === 'string') {
      if (!isWellFormedText(item)) return at;
    } else if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--) pending.push([item[index], `${at}[${index}]`]);
    } else if (item !== null && typeof item === 'object') {
      // A key is checked just before its value, as a string at the value's path.
      const entries = Object.entries(item);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index] as [string, unknown];
        pending.push([child, `${at}.${key}`], [key, `${at}.${key}`]);
      }
    }
  }
  return undefined;
}

/** `text` with each lone surrogate and NUL replaced by U+FFFD, as a UTF-8 store would keep it. */
export function toWellFormedText(text: string): string {
  return isWellFormedText(text) ? text : text.replace(ILL_FORMED_ALL, '\uFFFD');
}

/**
 * A JSON-like value with every string and object key made well-formed (`toWellFormedText`).
 * A value that is already well-formed is returned as it is, not copied.
 */
export function toWellFormedValue<T>(value: T): T {
  if (findIllFormedText(value) === undefined) return value;
  return rebuild(value) as T;
}

function rebuild(value: unknown): unknown {
  if (typeof value === 'string') return toWellFormedText(value);
  if (value === null || typeof value !== 'object') return value;
  // As canonicalJson does: a Date is the text it is hashed and stored as.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return rebuild((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value)) return value.map(rebuild);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // Defined, not assigned: a `__proto__` key from JSON.parse stays a plain member.
    Object.defineProperty(out, toWellFormedText(key), {
      value: rebuild(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * A string schema refusing ill-formed Unicode and NUL; every text field of the wire schemas
 * starts from it, so that nothing accepted can be stored other than it was hashed.
 *
 * @example
 * const name = wellFormedText().min(1).max(200);
 */
export function wellFormedText(): z.ZodString {
  return z.string().refine(isWellFormedText, ILL_FORMED_TEXT_MESSAGE);
}

/** Any JSON value whose strings and keys are all well-formed text (a call's arguments). */
export function wellFormedJson(): z.ZodJSONSchema {
  return z.json().superRefine((value, context) => {
    const path = findIllFormedText(value);
    if (path !== undefined) context.addIssue({ code: 'custom', message: `${path} ${ILL_FORMED_TEXT_MESSAGE}` });
  });
}
