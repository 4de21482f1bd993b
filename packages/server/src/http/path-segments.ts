import { EstopError } from '@estop/core';
import type { MiddlewareHandler } from 'hono';

/** The longest path segment (an id) the API takes. */
export const MAX_PATH_SEGMENT_LENGTH = 200;

// Every id the API issues or takes (rules, tokens, approvals, runs, enforcers, versions) is
// made of these characters; anything else in a path cannot name something that exists.
const SEGMENT = /^[A-Za-z0-9_.:@~-]*$/;

/**
 * Refuses an API path whose segments are not ids with a 400, before any route or store sees
 * them: a NUL, an encoded slash, ill-formed percent-encoding, other text or an over-long id.
 */
export const checkPathSegments: MiddlewareHandler = async (context, next) => {
  const raw = context.req.url.slice(context.req.url.indexOf('/', context.req.url.indexOf('//') + 2));
  const path = raw.split(/[?#]/, 1)[0] ?? '';
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new EstopError({ code: 'invalid_request', message: 'path: not well-formed percent-encoding' });
    }
    if (decoded.length > MAX_PATH_SEGMENT_LENGTH) {
      throw new EstopError({
        code: 'invalid_request',
        message: `path: a segment is longer than ${MAX_PATH_SEGMENT_LENGTH} characters`,
      });
    }
    if (!SEGMENT.test(decoded)) {
      throw new EstopError({
        code: 'invalid_request',
        message: 'path: an id is letters, digits and _ . : @ ~ - only',
      });
    }
  }
  await next();
};
