/** One thing wrong with a list of control-plane URLs: which entry (when a list), and what. */
export interface UrlProblem {
  /** The entry's position in the list; absent for a problem with the whole value. */
  index?: number | undefined;
  /** What is wrong, as a sentence without its subject: `must use http or https, got ftp:`. */
  message: string;
}

/**
 * Reads the control-plane URLs an enforcer is given: one URL, several separated by commas (as an
 * environment variable holds them), or a non-empty list. Each must be an absolute http(s) URL,
 * named once. Each URL is returned as a base that endpoints resolve against (its path ending in
 * a slash, without query or fragment); `problems` names everything wrong.
 *
 * @example
 * parseControlPlaneUrls('http://cp-a:7070,http://cp-b:7070').urls.map(String);
 * // ['http://cp-a:7070/', 'http://cp-b:7070/']
 */
export function parseControlPlaneUrls(value: unknown): { urls: URL[]; problems: UrlProblem[] } {
  const problems: UrlProblem[] = [];
  const listed = typeof value === 'string' ? value.split(',').map((part) => part.trim()) : value;
  if (!Array.isArray(listed) || listed.length === 0) {
    problems.push({ message: 'must be a URL, a comma-separated list of URLs or a non-empty list of them' });
    return { urls: [], problems };
  }
  const urls: URL[] = [];
  listed.forEach((item: unknown, position) => {
    const index = listed.length === 1 ? undefined : position;
    const url = parseBaseUrl(item, index, problems);
    if (url === undefined) return;
    if (urls.some((known) => known.href === url.href)) problems.push({ index, message: `lists ${url.href} again` });
    else urls.push(url);
  });
  return { urls, problems };
}

/** A problem as a sentence about `field`: `url[1] must use http or https, got ftp:`. */
export function describeUrlProblem(field: string, problem: UrlProblem): string {
  return `${field}${problem.index === undefined ? '' : `[${problem.index}]`} ${problem.message}`;
}

function parseBaseUrl(value: unknown, index: number | undefined, problems: UrlProblem[]): URL | undefined {
  let parsed: URL;
  try {
    if (typeof value !== 'string') throw new TypeError('not a string');
    parsed = new URL(value);
  } catch {
    problems.push({ index, message: `must be an absolute http(s) URL, got ${JSON.stringify(value) ?? String(value)}` });
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    problems.push({ index, message: `must use http or https, got ${parsed.protocol}` });
    return undefined;
  }
  // Endpoints are resolved against the base, so a path prefix (behind a proxy) must end in a
  // slash to be kept.
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  parsed.search = '';
  parsed.hash = '';
  return parsed;
}
