import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

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

function connectionTokens(headers: IncomingHttpHeaders): Set<string> | undefined {
  const connection = headers.connection;
  if (connection === undefined) return undefined;
  const tokens = new Set<string>();
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '') tokens.add(name);
  }
  return tokens;
}

function isHopByHop(name: string, named: Set<string> | undefined): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-') || (named !== undefined && named.has(name));
}

/**
 * The headers sent upstream for an agent's request: hop-by-hop headers, the agent's own
 * credentials (`authorization`) and estop's identity headers (`x-estop-*`) are dropped, `host`
 * is the upstream's, and the route's configured headers (the tool's credentials) win over
 * anything the agent sent.
 */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  injected: Readonly<Record<string, string>>,
  injectedNames: ReadonlySet<string>,
): OutgoingHttpHeaders {
  const named = connectionTokens(headers);
  const result: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (isHopByHop(name, named) || name === 'authorization' || name === 'host' || name.startsWith('x-estop-')) continue;
    if (injectedNames.has(name)) continue;
    result[name] = headers[name];
  }
  for (const name in injected) result[name] = injected[name];
  return result;
}

/** The headers sent back to the agent for an upstream's response: hop-by-hop headers dropped. */
export function downstreamResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = connectionTokens(headers);
  const result: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (isHopByHop(name, named)) continue;
    result[name] = headers[name];
  }
  return result;
}
