import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { clientErrorAnswer, EstopError, problemOf } from '@estop/core';
import { problemResponse } from './problem.js';

/** The most bytes of request line and headers Node reads before answering 431 (Node's default). */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Answers what Node's HTTP parser refuses (headers or URL too large, a request that is not
 * HTTP) with a problem+json, as every other error is, instead of Node's bare status line.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorAnswer(error.code, MAX_HEADER_BYTES));
}

/** A Node HTTP server for the app whose every refusal, its own included, is problem+json. */
export function createHttpServer(fetch: Parameters<typeof getRequestListener>[0]): Server {
  const listener = getRequestListener(fetch, {
    errorHandler: () =>
      problemResponse(new EstopError({ code: 'invalid_request', message: 'not a well-formed HTTP request' })),
  });
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, listener);
  server.on('clientError', answerClientError);
  // Node answers `Expect: 100-continue` itself; any other expectation would get its bare 417.
  server.on('checkExpectation', (_request, response) => {
    const message = 'the only expectation understood is "100-continue"';
    const body = JSON.stringify(problemOf(new EstopError({ code: 'invalid_request', message }), { status: 417 }));
    response.writeHead(417, { 'content-type': 'application/problem+json', connection: 'close' }).end(body);
  });
  return server;
}

/** Listens on `host` and `port`; resolves with the URL it listens at. */
export function listenOn(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // The deepest accept queue the kernel allows (net.core.somaxconn): a replica's enforcers
    // moving to the others all connect at once, and a connection the queue has no room for
    // waits a second for its SYN to be sent again.
    server.listen({ port, host, backlog: 65_535 }, () => {
      const info = server.address() as AddressInfo;
      const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve(`http://${shownHost}:${info.port}`);
    });
  });
}
