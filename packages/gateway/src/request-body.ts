import type { IncomingMessage } from 'node:http';
import { EstopError } from '@estop/core';

/** The largest request body a write route takes: it is held in memory to be governed. */
export const MAX_WRITE_BODY_BYTES = 1024 * 1024;

/**
 * Reads a request body whole, up to `limit` bytes. A larger one rejects with an EstopError
 * whose `details.status` is 413 (the rest of it is drained, so the answer can still be read);
 * a body that breaks off rejects with `invalid_request`.
 */
export function readRequestBody(request: IncomingMessage, limit = MAX_WRITE_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      request.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    request.once('error', () => {
      if (failed) return;
      failed = true;
      reject(new EstopError({ code: 'invalid_request', message: 'the request broke off' }));
    });
  });
}

function tooLarge(limit: number): EstopError {
  return new EstopError({
    code: 'invalid_request',
    message: `the request body is larger than ${limit} bytes, the most a write route takes`,
    details: { status: 413 },
  });
}
