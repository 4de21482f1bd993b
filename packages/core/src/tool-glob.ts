/**
 * A compiled tool pattern. Matching a tool name never allocates: exact and prefix patterns
 * compare strings, other globs use a precompiled regular expression.
 */
export interface ToolMatcher {
  readonly kind: 'any' | 'exact' | 'prefix' | 'regex';
  readonly text: string;
  readonly regex: RegExp | undefined;
}

/** Compiles a glob where `*` matches any run of characters and `?` one character. */
export function compileToolGlob(glob: string | undefined): ToolMatcher {
  if (glob === undefined || glob === '*') return { kind: 'any', text: '', regex: undefined };
  const stars = glob.split('*').length - 1;
  if (!glob.includes('?')) {
    if (stars === 0) return { kind: 'exact', text: glob, regex: undefined };
    if (stars === 1 && glob.endsWith('*')) {
      return { kind: 'prefix', text: glob.slice(0, -1), regex: undefined };
    }
  }
  const source = glob
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  // dotAll, so that `*` and `?` also match a line break: a tool name cannot slip past a
  // pattern by containing one.
  return { kind: 'regex', text: glob, regex: new RegExp(`^${source}$`, 's') };
}

/** True when the tool name matches the compiled pattern. */
export function matchTool(matcher: ToolMatcher, tool: string): boolean {
  switch (matcher.kind) {
    case 'any':
      return true;
    case 'exact':
      return tool === matcher.text;
    case 'prefix':
      return tool.startsWith(matcher.text);
    case 'regex':
      return (matcher.regex as RegExp).test(tool);
  }
}
