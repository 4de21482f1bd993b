import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP proxy in front of a shared server (PostgreSQL, Redis) that a test can cut and restore. */
export interface TcpProxy {
  /** `host:port` to connect to instead of the server. */
  readonly address: { host: string; port: number };
  /**
   * Cuts the path as a network partition does: nothing passes either way on open connections,
   * and new connections are accepted but never reach the server (they hang, as a dropped route does).
   */
  cut(): void;
  /** Ends the held connections (their peers see them break) and lets new ones through again. */
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 forwarding to `target`; the shared server itself is never touched. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let cut = false;
  const pairs = new Set<{ client: Socket; upstream: Socket | undefined }>();
  const server = createServer((client) => {
    const pair: { client: Socket; upstream: Socket | undefined } = { client, upstream: undefined };
    pairs.add(pair);
    client.on('error', () => {});
    client.on('close', () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    if (cut) return;
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => {
      if (!cut) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!cut) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endAll = () => {
    for (const pair of pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    pairs.clear();
  };
  return {
    address: { host: '127.0.0.1', port },
    cut() {
      cut = true;
    },
    restore() {
      endAll();
      cut = false;
    },
    async close() {
      endAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
