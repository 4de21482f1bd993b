import { EstopError, ILL_FORMED_TEXT_MESSAGE, isWellFormedText } from '@estop/core';
import type { Context } from 'hono';
import type { z } from 'zod';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth.js';
import { invalidRequest } from './problem.js';

/** Parses and validates a JSON body; an empty body counts as `{}`, one nested too deeply is refused. */
export async function readBody<Schema extends z.ZodType>(context: Context, schema: Schema): Promise<z.output<Schema>> {
  const text = await context.req.text();
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
