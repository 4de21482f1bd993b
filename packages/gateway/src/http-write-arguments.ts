import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';

/**
 * What an HTTP write is, as approvals, drafts and derived idempotency keys see it:
 * `{method, path, query, body}`. The body is its JSON when it is JSON, else its text when it
 * is UTF-8, else `{base64}`, so that two different bodies are never the same write.
 */
export function httpWriteArguments(request: IncomingMessage, body: Buffer): Record<string, unknown> {
  const url = request.url ?? '/';
  const mark = url.indexOf('?');
  return {
    method: request.method ?? 'POST',
    path: mark === -1 ? url : url.slice(0, mark),
    query: mark === -1 ? '' : url.slice(mark + 1),
    body: bodyValue(body, String(request.headers['content-type'] ?? '')),
  };
}

function bodyValue(body: Buffer, contentType: string): unknown {
  if (body.length === 0) return null;
  if (!isUtf8(body)) return { base64: body.toString('base64') };
  const text = body.toString('utf8');
  if (/\bjson\b/i.test(contentType)) {
    try {
      return { json: JSON.parse(text) as unknown };
    } catch {
      // Not JSON after all: kept as text.
    }
  }
  return text;
}

/** The caller's `Idempotency-Key` header, if it sent one. */
export function idempotencyKeyOf(request: IncomingMessage): string | undefined {
  const value = request.headers['idempotency-key'];
  const key = (Array.isArray(value) ? value[0] : value)?.trim();
  return key === undefined || key === '' ? undefined : key;
}
