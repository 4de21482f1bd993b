import type { IncomingHttpHeaders } from 'node:http';

/** Where the gateway listens and whom it admits, as under `listen:` in its configuration. */
export interface OriginPolicy {
  host: string;
  allowed_hosts?: readonly string[] | undefined;
  allowed_origins: readonly string[];
}

const LOCALHOST_NAMES = ['localhost', '127.0.0.1', '::1'];

function isLoopback(host: string): boolean {
  return LOCALHOST_NAMES.includes(host) || host.startsWith('127.') || host === '[::1]';
}

/** The host name of a `Host` header, without its port and brackets, lower-cased. */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed !== null) return (bracketed[1] as string).toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

/**
 * A check of an MCP request's `Host` and `Origin` headers, which the MCP specification asks of
 * an HTTP server against DNS rebinding: a page on another site must not reach a gateway on the
 * user's machine. Returns what is wrong, or undefined when the request is admitted. A request
 * without `Origin` (not from a browser) is checked by its `Host` only.
 */
export function createOriginCheck(policy: OriginPolicy): (headers: IncomingHttpHeaders) => string | undefined {
  const hosts =
    policy.allowed_hosts?.map((host) => host.toLowerCase()) ?? (isLoopback(policy.host) ? LOCALHOST_NAMES : undefined);
  const origins = new Set(policy.allowed_origins.map((origin) => origin.toLowerCase().replace(/\/$/, '')));
  const admitsHost = (name: string) => hosts === undefined || hosts.includes(name);
  return (headers) => {
    const host = headers.host;
    if (host === undefined || !admitsHost(hostName(host))) {
      return `Forbidden: the Host header ${JSON.stringify(host ?? '')} is not one this gateway answers to (listen.allowed_hosts)`;
    }
    const origin = headers.origin;
    if (origin === undefined || origins.has(origin.toLowerCase())) return undefined;
    let originHost: string;
    try {
      originHost = hostName(new URL(origin).host);
    } catch {
      return `Forbidden: the Origin header ${JSON.stringify(origin)} is not a URL`;
    }
    if (hosts !== undefined ? hosts.includes(originHost) : originHost === hostName(host)) return undefined;
    return `Forbidden: requests from the Origin ${JSON.stringify(origin)} are not admitted (listen.allowed_origins)`;
  };
}
