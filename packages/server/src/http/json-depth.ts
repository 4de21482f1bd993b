/** How deeply JSON may nest in a request body: deep enough for any real call's arguments. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when JSON text nests arrays and objects deeper than `maxDepth`. A single pass with a
 * counter, not a parser: it runs before `JSON.parse` and the schemas, whose recursion a body
 * nested thousands deep would otherwise exhaust. Brackets inside strings are text, not nesting.
 */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charCodeAt(index);
    if (inString) {
      if (character === 0x5c)
        index += 1; // a backslash escapes the next character
      else if (character === 0x22) inString = false;
    } else if (character === 0x22) {
      inString = true;
    } else if (character === 0x5b || character === 0x7b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (character === 0x5d || character === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}
