import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a test receiver got, with whether its signature verified against the secret. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  signed: boolean;
  /** What the receiver answered. */
  status: number;
}

/** A real HTTP receiver of webhooks: records each request and answers with `answer()` (default 200). */
export interface TestReceiver {
  url: string;
  received: Received[];
  /** The status of the next answers; change it to make the receiver fail or recover. */
  answer: () => number;
  close(): Promise<void>;
}

/** Verifies `x-estop-signature` as a receiver would: HMAC-SHA256 of the raw body, compared in constant time. */
export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(body).digest('hex'));
  const given = Buffer.from(header.slice('sha256='.length));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export async function startReceiver(secret = 'test-secret', port = 0): Promise<TestReceiver> {
  const receiver: TestReceiver = { url: '', received: [], answer: () => 200, close: async () => {} };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = request.headers['x-estop-signature'];
      const status = receiver.answer();
      receiver.received.push({
        headers: request.headers,
        body,
        json: JSON.parse(body),
        signed: verifySignature(secret, body, typeof signature === 'string' ? signature : undefined),
        status,
      });
      response.statusCode = status;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/estop?key=abc`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
