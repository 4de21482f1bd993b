import assert from 'node:assert/strict';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createGateway, type Gateway, GatewayFileSchema } from '@estop/gateway';
import { eventually, send, startPlane, startUpstream, type TestPlane, type TestUpstream } from './http-harness.js';

// The upstream's `/slow` answers only when released, and these routes wait a minute for it:
// an upstream request cut within seconds can only be the gateway's doing.
const GONE_WITHIN_MS = 5000;

let plane: TestPlane;
let upstream: TestUpstream;
let gateway: Gateway;
let url: string;
let token: string;

/** Opens a call to `route` and leaves it open; destroying the returned request is the agent going away. */
function openCall(route: string, method: string, headers: Record<string, string> = {}): ClientRequest {
  const outgoing = httpRequest(`${url}/tools/${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...headers },
    agent: false,
  });
  outgoing.on('error', () => undefined);
  outgoing.end(method === 'GET' ? undefined : '{"to":"someone"}');
  return outgoing;
}

function slowRequests() {
  return upstream.seen.filter((seen) => seen.url === '/slow');
}

before(async () => {
  plane = await startPlane();
  upstream = await startUpstream();
  const config = GatewayFileSchema.parse({
    control_plane: { url: plane.url },
    listen: { host: '127.0.0.1', port: 0 },
    identity: { cache_ms: 0 },
    http: {
      routes: {
        'slow.read': { method: 'GET', upstream: `${upstream.url}/slow`, timeout_ms: 60_000 },
        'slow.write': { method: 'POST', upstream: `${upstream.url}/slow`, effect: 'write', timeout_ms: 60_000 },
      },
    },
  });
  gateway = createGateway({ config, token: await plane.token('enforcer', 'gateway') });
  url = await gateway.listen();
  await gateway.guard.ready();
  token = await plane.token('agent', 'mailer', 'acme');
});

after(async () => {
  await gateway.close();
  await upstream.close();
  await plane.close();
});

describe('the HTTP gateway, when its agent goes away mid-call', () => {
  it('cuts a read upstream', async () => {
    const call = openCall('slow.read', 'GET');
    await eventually(() => slowRequests().length === 1);
    assert.equal(gateway.inFlight.count, 1);
    call.destroy();
    await eventually(() => slowRequests()[0]?.abandoned === true, GONE_WITHIN_MS);
    await eventually(() => gateway.inFlight.count === 0, GONE_WITHIN_MS);
  });

  it('lets a write already sent run to its end, and its reply answers the retry', async () => {
    const key = { 'idempotency-key': 'disconnect-write-1', 'content-type': 'application/json' };
    const write = openCall('slow.write', 'POST', key);
    const read = openCall('slow.read', 'GET');
    await eventually(() => slowRequests().length === 3);
    const sentWrite = slowRequests().find((seen) => seen.method === 'POST');
    const sentRead = slowRequests()
      .slice(1)
      .find((seen) => seen.method === 'GET');
    // Both agents go away together; once the read is cut, the gateway has seen the write's agent go too.
    write.destroy();
    read.destroy();
    await eventually(() => sentRead?.abandoned === true, GONE_WITHIN_MS);
    assert.equal(sentWrite?.abandoned, false);

    upstream.releaseSlow();
    await eventually(() => gateway.inFlight.count === 0);
    assert.equal(sentWrite?.abandoned, false);
    const retry = await send(`${url}/tools/slow.write`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...key },
      body: '{"to":"someone"}',
    });
    assert.equal(retry.status, 200);
    assert.equal(retry.body.toString(), 'finally');
    assert.equal(retry.headers['x-estop-replayed'], 'true');
    assert.equal(slowRequests().filter((seen) => seen.method === 'POST').length, 1);
  });
});
