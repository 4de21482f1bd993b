import type { ServerResponse } from 'node:http';

/** An upstream's answer to a write, held whole so it can be kept for the write's duplicates. */
export interface UpstreamReply {
  readonly status: number;
  /** Response headers as raw `[name, value, ...]` pairs, hop-by-hop headers already dropped. */
  readonly headers: readonly string[];
  readonly body: Buffer;
}

/** What is kept of a reply for duplicates: status, content type and body (base64). */
export interface StoredReply {
  status: number;
  contentType?: string | undefined;
  body: string;
}

/** The largest upstream reply kept for duplicates; a larger one is passed on but not kept. */
export const MAX_STORED_REPLY_BYTES = 1024 * 1024;

/** The JSON kept for a reply; throws when it is too large to keep (the key is then released). */
export function storeReply(reply: UpstreamReply): StoredReply {
  if (reply.body.length > MAX_STORED_REPLY_BYTES) {
    throw new RangeError(`the upstream reply of ${reply.body.length} bytes is larger than ${MAX_STORED_REPLY_BYTES}`);
  }
  return {
    status: reply.status,
    contentType: headerValue(reply.headers, 'content-type'),
    body: reply.body.toString('base64'),
  };
}

/** A kept reply, as it is replayed to a duplicate. */
export function replayReply(stored: unknown): UpstreamReply {
  const kept = stored as StoredReply;
  const headers = kept.contentType === undefined ? [] : ['content-type', kept.contentType];
  return { status: kept.status, headers, body: Buffer.from(kept.body, 'base64') };
}

/** Answers with a reply; `replayed` marks it `x-estop-replayed: true` (a duplicate's answer). */
export function sendReply(response: ServerResponse, reply: UpstreamReply, replayed: boolean): void {
  const headers: string[] = [];
  for (let index = 0; index < reply.headers.length; index += 2) {
    const name = reply.headers[index] as string;
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') continue;
    headers.push(name, reply.headers[index + 1] as string);
  }
  headers.push('content-length', String(reply.body.length));
  if (replayed) headers.push('x-estop-replayed', 'true');
  response.writeHead(reply.status, headers);
  response.end(reply.body);
}

function headerValue(headers: readonly string[], name: string): string | undefined {
  for (let index = 0; index < headers.length; index += 2) {
    if ((headers[index] as string).toLowerCase() === name) return headers[index + 1];
  }
  return undefined;
}
