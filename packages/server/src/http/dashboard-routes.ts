import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { EstopError } from '@estop/core';
import type { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { problemResponse } from './problem.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

// The page talks only to this origin, runs only its own scripts, and may not be framed: a stop
// button that another site could overlay is a button someone else can press.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Where the built dashboard is, if the package is installed. */
function dashboardDirectory(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@estop/dashboard/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/**
 * Serves the operator dashboard (`@estop/dashboard`, built into static files) at `/`: assets
 * under `/assets/` are immutable, any other path without an extension gets the page itself.
 */
export function dashboardRoutes(app: Hono<AppEnv>, root: string | undefined = dashboardDirectory()): void {
  app.get('*', async (context, next) => {
    const path = context.req.path;
    if (path.startsWith('/v1/') || root === undefined) return next();
    const wanted = extname(path) === '' ? 'index.html' : path.slice(1);
    const file = normalize(join(root, wanted));
    if (!file.startsWith(root + sep)) return next();
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      if (wanted !== 'index.html') return next();
      // A problem like every other refusal, its detail kept: it says what to do, and holds no store text.
      return problemResponse(
        new EstopError({
          code: 'unavailable',
          message: 'The dashboard is not built: run `npm run build`, then reload.',
        }),
      );
    }
    const immutable = path.startsWith('/assets/');
    return context.body(new Uint8Array(body), 200, {
      ...SECURITY_HEADERS,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  });
}
