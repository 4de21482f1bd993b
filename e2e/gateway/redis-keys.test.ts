// Gateways that keep idempotency keys in Redis themselves: duplicates suppressed across them,
// the control plane still hearing of each write and duplicate, and no write run when Redis is away.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createGateway, GatewayFileSchema, type Gateway } from '@estop/gateway';
import { createRedisIdempotencyStore, type RedisIdempotencyStore } from '@estop/store-redis';
import { startGovernedPlane, type GovernedPlane } from '../sdk/governed-plane.js';

const REDIS_URL = process.env.ESTOP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const reachable = await redisAnswers();
if (!reachable && process.env.CI === 'true') throw new Error(`CI needs Redis at ${REDIS_URL} for these tests`);
const skip = reachable ? false : `Redis at ${REDIS_URL} is unreachable: start redis-server to run these tests`;

async function countingUpstream(): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      bodies.push(body);
      // A little time, so the repeats arrive while the first write is still running.
      setTimeout(() => response.writeHead(201, { 'content-type': 'application/json' }).end('{"sent":true}'), 50);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function startGateways(
  cp: GovernedPlane,
  upstream: string,
  keys: RedisIdempotencyStore[],
): Promise<{ gateways: Gateway[]; urls: string[] }> {
  const config = GatewayFileSchema.parse({
    control_plane: { url: cp.url },
    listen: { host: '127.0.0.1', port: 0 },
    identity: { cache_ms: 0 },
    idempotency: { redis: { url: REDIS_URL } },
    http: { routes: { 'email.send': { method: 'POST', upstream: `${upstream}/send` } } },
  });
  const token = await cp.token('enforcer', `gateways-${randomBytes(3).toString('hex')}`);
  const gateways = keys.map((store) => createGateway({ config, token, keys: store }));
  const urls = [];
  for (const gateway of gateways) {
    urls.push(await gateway.listen());
    await gateway.guard.ready();
  }
  return { gateways, urls };
}

describe('gateways keeping idempotency keys in Redis', { skip }, () => {
  it('run a write once across two gateways; the repeats get its reply and the control plane hears of them', async (context) => {
    const cp = (await startGovernedPlane('sqlite', context)) as GovernedPlane;
    const upstream = await countingUpstream();
    const prefix = `estop:test:${randomBytes(4).toString('hex')}:`;
    const keys = [
      createRedisIdempotencyStore({ url: REDIS_URL, prefix }),
      createRedisIdempotencyStore({ url: REDIS_URL, prefix }),
    ];
    const { gateways, urls } = await startGateways(cp, upstream.url, keys);
    try {
      const agent = await cp.token('agent', 'mailer', 'acme');
      const send = (url: string, body: string) =>
        fetch(`${url}/tools/email.send`, {
          method: 'POST',
          headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
          body,
        });
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, index) => send(urls[index % 2] as string, '{"to":"a@example.com"}')),
      );
      assert.deepEqual(
        answers.map((answer) => answer.status),
        Array.from({ length: 10 }, () => 201),
      );
      for (const answer of answers) assert.deepEqual(await answer.json(), { sent: true });
      assert.deepEqual(upstream.bodies, ['{"to":"a@example.com"}'], 'the write ran once');
      assert.equal(answers.filter((answer) => answer.headers.get('x-estop-replayed') === 'true').length, 9);
      // Another body is another write.
      assert.equal((await send(urls[1] as string, '{"to":"b@example.com"}')).status, 201);
      assert.equal(upstream.bodies.length, 2);
      assert.equal(cp.claims(), 0, "the control plane's key store was never asked");
      // The control plane heard of the duplicates (in the background), for its audit log.
      const deadline = Date.now() + 15_000;
      let suppressed = 0;
      while (suppressed < 9 && Date.now() < deadline) {
        await cp.plane.flushAudit();
        const audit = (await cp.api('GET', '/v1/audit?limit=500')).body.entries as any[];
        suppressed = audit
          .filter((entry) => entry.action === 'duplicates-suppressed' && entry.scope?.tenant === 'acme')
          .reduce((sum, entry) => sum + (entry.data.count as number), 0);
        if (suppressed < 9) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(suppressed, 9, 'nine duplicates suppressed, in the audit log');
    } finally {
      for (const gateway of gateways) await gateway.close();
      for (const store of keys) await store.close();
      await upstream.close();
      await cp.close();
    }
  });

  it('do not run a write while Redis cannot be reached', async (context) => {
    const cp = (await startGovernedPlane('sqlite', context)) as GovernedPlane;
    const upstream = await countingUpstream();
    // Nothing listens on port 1: every command fails after the store's reconnection attempts.
    const keys = [createRedisIdempotencyStore({ url: 'redis://127.0.0.1:1' })];
    const { gateways, urls } = await startGateways(cp, upstream.url, keys);
    try {
      const agent = await cp.token('agent', 'mailer', 'acme');
      const answer = await fetch(`${urls[0]}/tools/email.send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
        body: '{"to":"c@example.com"}',
      });
      assert.equal(answer.status, 503);
      const problem = (await answer.json()) as { code: string; detail: string };
      assert.equal(problem.code, 'unavailable');
      assert.match(problem.detail, /not run/);
      assert.deepEqual(upstream.bodies, [], 'nothing was sent upstream');
    } finally {
      for (const gateway of gateways) await gateway.close();
      for (const store of keys) await store.close();
      await upstream.close();
      await cp.close();
    }
  });
});
