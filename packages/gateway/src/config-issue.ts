import { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** Levenshtein distance between two keys, for suggesting the key a typo meant. */
export function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const substitution = (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** The known key nearest to a typo, when it is near enough to be what was meant. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Strips the wrappers (default, optional, pipe) that do not change an entry's shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) return unwrap(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodPipe) return unwrap(schema.in as z.ZodType);
  return schema;
}

/** The object shapes an entry at `path` may take: one, or one per union member. */
function shapesAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodObject[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodUnion) return inner.options.flatMap((option) => shapesAt(option as z.ZodType, path));
  if (path.length === 0) return inner instanceof z.ZodObject ? [inner] : [];
  const [head, ...rest] = path;
  if (inner instanceof z.ZodObject && typeof head === 'string') {
    const child = (inner.shape as Record<string, z.ZodType>)[head];
    return child === undefined ? [] : shapesAt(child, rest);
  }
  if (inner instanceof z.ZodRecord) return shapesAt(inner.valueType as z.ZodType, rest);
  return [];
}

/** `{ command, args?, ... }`: an object shape as a reader writes it, optional keys marked. */
function describeShape(shape: z.ZodObject): string {
  const keys = Object.entries(shape.shape as Record<string, z.ZodType>).map(
    ([key, value]) => `${key}${value.safeParse(undefined).success ? '?' : ''}`,
  );
  return `{ ${keys.join(', ')} }`;
}

/** The unknown keys an issue (or any branch of a union issue) complains of. */
function unknownKeys(issue: Issue): string[] {
  if (issue.code === 'unrecognized_keys') return issue.keys;
  if (issue.code === 'invalid_union') return [...new Set(issue.errors.flat().flatMap(unknownKeys))];
  return [];
}

/**
 * One line per configuration problem: the path, and for an unknown key its name, the nearest known
 * key and the shapes the entry may take (`mcp.servers.s: unknown key "comand" (did you mean "command"?)`).
 */
export function describeConfigIssue(schema: z.ZodType, issue: Issue): string {
  const where = issue.path.join('.') || '(root)';
  const keys = unknownKeys(issue);
  if (keys.length === 0) return `${where}: ${issue.message}`;
  const shapes = shapesAt(schema, issue.path);
  const known = [...new Set(shapes.flatMap((shape) => Object.keys(shape.shape)))];
  const named = keys.map((key) => {
    const near = nearestKey(key, known);
    return `"${key}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`;
  });
  const expected = shapes.map(describeShape).join(' or ');
  return `${where}: unknown key ${named.join(', ')}${expected === '' ? '' : `; expected ${expected}`}`;
}
