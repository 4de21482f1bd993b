// A canned HTTP server standing in for the control plane's HTTP layer only: each route answers
// with a fixed status and body, and every request is recorded so tests can check what was sent.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import type { CommandIo } from '../src/command.js';

export interface CannedResponse {
  status?: number;
  body?: unknown;
  /** Raw text instead of JSON. */
  text?: string;
  contentType?: string;
  /** Never answer (to exercise client timeouts). */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface FakeHttp {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a server answering `routes['METHOD /path?query']` (exact, then without the query); 404 otherwise. */
export async function startFakeHttp(
  routes: Record<string, CannedResponse | ((request: RecordedRequest) => CannedResponse)>,
): Promise<FakeHttp> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: raw === '' ? undefined : (JSON.parse(raw) as unknown),
      };
      requests.push(recorded);
      const path = recorded.url.split('?')[0] ?? '';
      const route = routes[`${recorded.method} ${recorded.url}`] ?? routes[`${recorded.method} ${path}`];
      const canned: CannedResponse =
        route === undefined
          ? {
              status: 404,
              body: {
                type: 'urn:estop:error:not_found',
                title: 'Not found',
                status: 404,
                code: 'not_found',
                detail: `no route ${path}`,
              },
              contentType: 'application/problem+json',
            }
          : typeof route === 'function'
            ? route(recorded)
            : route;
      if (canned.hang) return;
      const status = canned.status ?? 200;
      if (status === 204) {
        response.writeHead(204).end();
        return;
      }
      const text = canned.text ?? JSON.stringify(canned.body ?? {});
      const contentType = canned.contentType ?? (status >= 400 ? 'application/problem+json' : 'application/json');
      response.writeHead(status, { 'content-type': contentType }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A problem+json body as the control plane sends it. */
export function problem(
  code: string,
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
): CannedResponse {
  return { status, body: { type: `urn:estop:error:${code}`, title: code, status, code, detail, ...extra } };
}

/** A URL on which nothing listens. */
export async function closedUrl(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** An in-memory CommandIo; `out()` and `err()` return what was written. */
export function bufferIo(
  env: Record<string, string | undefined> = {},
  cwd?: string,
): CommandIo & { out(): string; err(): string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    // An empty directory by default, so no developer's ./.estop/admin-token leaks into tests.
    cwd: cwd ?? '/nonexistent-estop-test-directory',
    out: () => stdout,
    err: () => stderr,
  };
}
