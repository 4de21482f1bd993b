/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The extra header names a `Connection` header lists as hop-by-hop, from raw `[name, value, ...]` headers. */
function connectionTokens(rawHeaders: readonly string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if ((rawHeaders[index] as string).length !== 10 || (rawHeaders[index] as string).toLowerCase() !== 'connection')
      continue;
    const value = (rawHeaders[index + 1] as string).toLowerCase();
    // The common values name no other header.
    if (value === 'keep-alive' || value === 'close') continue;
    for (const token of value.split(',')) {
      const name = token.trim();
      if (name !== '' && name !== 'keep-alive' && name !== 'close') (tokens ??= new Set()).add(name);
    }
  }
  return tokens;
}

function isHopByHop(name: string, named: Set<string> | undefined): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-') || (named !== undefined && named.has(name));
}

/** A route's headers, prepared once: its own credentials and the upstream's host. */
export interface InjectedHeaders {
  /** `host` for the upstream. */
  readonly host: string;
  /** Lower-case names and values, set on every forwarded request. */
  readonly headers: readonly (readonly [string, string])[];
  readonly names: ReadonlySet<string>;
}

/** Prepares a route's configured headers for `upstreamRequestHeaders`. */
export function injectedHeaders(host: string, configured: Readonly<Record<string, string>>): InjectedHeaders {
  const headers = Object.entries(configured).map(([name, value]) => [name.toLowerCase(), value] as const);
  return { host, headers, names: new Set(headers.map(([name]) => name)) };
}

/**
 * The headers sent upstream for an agent's request, as raw `[name, value, ...]` pairs:
 * hop-by-hop headers, the agent's own credentials (`authorization`) and estop's identity headers
 * (`x-estop-*`) are dropped, `host` is the upstream's, and the route's configured headers (the
 * tool's credentials) replace anything of the same name the agent sent.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], injected: InjectedHeaders): string[] {
  const named = connectionTokens(rawHeaders);
  const result: string[] = ['host', injected.host];
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const raw = rawHeaders[index] as string;
    const name = raw.toLowerCase();
    if (isHopByHop(name, named) || name === 'authorization' || name === 'host' || name.startsWith('x-estop-')) continue;
    if (injected.names.has(name)) continue;
    result.push(raw, rawHeaders[index + 1] as string);
  }
  for (const [name, value] of injected.headers) result.push(name, value);
  return result;
}

/** The headers sent back to the agent for an upstream's response, raw pairs without hop-by-hop headers. */
export function downstreamResponseHeaders(rawHeaders: readonly string[]): string[] {
  const named = connectionTokens(rawHeaders);
  const result: string[] = [];
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const raw = rawHeaders[index] as string;
    if (isHopByHop(raw.toLowerCase(), named)) continue;
    result.push(raw, rawHeaders[index + 1] as string);
  }
  return result;
}
