import { EstopError, ILL_FORMED_TEXT_MESSAGE, isWellFormedText } from '@estop/core';
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { z } from 'zod';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth.js';
import { invalidRequest } from './problem.js';

/** Parses and validates a JSON body; an empty body counts as `{}`, one nested too deeply is refused. */
export async function readBody<Schema extends z.ZodType>(context: Context, schema: Schema): Promise<z.output<Schema>> {
  const text = await bodyText(context);
  let value: unknown = {};
  if (text.trim() !== '') {
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
      throw new EstopError({
        code: 'invalid_request',
        message: `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
      });
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new EstopError({ code: 'invalid_request', message: 'body: not valid JSON' });
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequest(parsed.error);
  return parsed.data;
}

// Bodies read from Node's request, so that a second read gets the same text.
const bodies = new WeakMap<object, Promise<string>>();
const utf8 = new TextDecoder();

/**
 * The request body as text, decoded as a Fetch `Request` decodes it (UTF-8, a byte order mark
 * dropped, ill-formed bytes replaced). A body of declared length is read from Node's request
 * itself: the Fetch `Request` that `context.req.text()` builds first (a stream, an abort signal)
 * costs more than the rest of a small route. A chunked body goes through that `Request`, which
 * `bodyLimit` counts as it streams.
 */
function bodyText(context: Context): Promise<string> {
  const incoming = (context.env as Partial<HttpBindings> | undefined)?.incoming;
  if (incoming === undefined || incoming.headers['transfer-encoding'] !== undefined) return context.req.text();
  let text = bodies.get(incoming);
  if (text === undefined) {
    text = new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.once('end', () => resolve(utf8.decode(Buffer.concat(chunks))));
      const cut = (cause?: unknown) =>
        reject(
          new EstopError({ code: 'invalid_request', message: 'body: the request ended before its body did', cause }),
        );
      incoming.once('error', cut);
      incoming.once('close', () => {
        if (!incoming.complete) cut();
      });
    });
    bodies.set(incoming, text);
  }
  return text;
}

/** Parses and validates query parameters; a value with NUL or a lone surrogate is refused, whatever its name. */
export function readQuery<Schema extends z.ZodType>(context: Context, schema: Schema): z.output<Schema> {
  const search = new URL(context.req.url).search.slice(1);
  for (const part of search === '' ? [] : search.split('&')) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw new EstopError({ code: 'invalid_request', message: 'query: not well-formed percent-encoded UTF-8' });
    }
  }
  const query = context.req.query();
  for (const [name, value] of Object.entries(query)) {
    if (!isWellFormedText(value)) {
      throw new EstopError({ code: 'invalid_request', message: `query: ${name}: ${ILL_FORMED_TEXT_MESSAGE}` });
    }
  }
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw invalidRequest(parsed.error, 'query');
  return parsed.data;
}
