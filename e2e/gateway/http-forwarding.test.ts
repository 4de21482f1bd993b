import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { send, startSetup, type TestSetup } from './http-harness.js';

describe('the HTTP gateway forwards allowed calls faithfully and holds the credentials', () => {
  let setup: TestSetup;
  let agent: string;

  before(async () => {
    setup = await startSetup();
    agent = await setup.plane.token('agent', 'worker', 'acme');
  });
  after(() => setup.close());

  it('injects the route credentials and never forwards the agent token or x-estop-* headers', async () => {
    const answer = await send(`${setup.url}/tools/email.send`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${agent}`,
        'x-estop-agent': 'worker',
        'x-estop-run': 'run-1',
        'x-request-id': 'abc',
        'content-type': 'application/json',
      },
      body: '{"to":"a@example.com"}',
    });
    assert.equal(answer.status, 200);
    const headers = answer.json.headers as Record<string, string>;
    assert.equal(headers.authorization, 'Bearer upstream-secret');
    assert.equal(headers['x-request-id'], 'abc');
    assert.equal(headers['content-type'], 'application/json');
    assert.ok(!Object.keys(headers).some((name) => name.startsWith('x-estop-')));
    assert.ok(!JSON.stringify(headers).includes(agent));
  });

  it('a route without credentials does not pass the agent token either', async () => {
    const answer = await send(`${setup.url}/tools/search.read`, { headers: { authorization: `Bearer ${agent}` } });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.headers.authorization, undefined);
  });

  it('strips hop-by-hop headers both ways, including those named in Connection', async () => {
    const answer = await send(`${setup.url}/tools/search.read`, {
      headers: {
        authorization: `Bearer ${agent}`,
        connection: 'keep-alive, x-hop-private',
        'x-hop-private': 'secret-to-this-hop',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'proxy-authorization': 'Basic abc',
        'x-end-to-end': 'kept',
      },
    });
    assert.equal(answer.status, 200);
    const seen = answer.json.headers as Record<string, string>;
    assert.equal(seen['x-hop-private'], undefined);
    assert.equal(seen['keep-alive'], undefined);
    assert.equal(seen.te, undefined);
    assert.equal(seen['proxy-authorization'], undefined);
    assert.equal(seen['x-end-to-end'], 'kept');
    assert.equal(answer.headers['x-upstream-private'], undefined);
    assert.equal(answer.headers['x-upstream-public'], 'kept');
  });

  it('holds a write body whole up to 1 MB; a larger one is refused with 413 and never reaches the upstream', async () => {
    const size = 2 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 98);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = httpRequest(`${setup.url}/tools/files.upload`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${agent}`, 'transfer-encoding': 'chunked' },
        agent: false,
      });
      outgoing.on('response', (response) => {
        let body = '';
        response.on('data', (part: Buffer) => (body += part.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      outgoing.on('error', reject);
      let written = 0;
      const write = (): void => {
        while (written < size) {
          written += chunk.length;
          if (!outgoing.write(chunk)) {
            outgoing.once('drain', write);
            return;
          }
        }
        outgoing.end();
      };
      write();
    });
    assert.equal(answer.status, 413);
    assert.match(JSON.parse(answer.body).detail, /larger than 1048576 bytes/);
    assert.equal(setup.upstream.seen.filter((seen) => seen.url === '/upload').length, 0);
    const fits = await send(`${setup.url}/tools/files.upload`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${agent}` },
      body: Buffer.alloc(1024 * 1024, 99),
    });
    assert.equal(fits.status, 200);
    assert.equal(JSON.parse(fits.body.toString()).bytes, 1024 * 1024);
  });

  it('streams a large response body back to the agent', async () => {
    const size = 48 * 1024 * 1024 + 7;
    let received = 0;
    let chunks = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = httpRequest(`${setup.url}/tools/files.download?bytes=${size}`, {
        headers: { authorization: `Bearer ${agent}` },
        agent: false,
      });
      outgoing.on('response', (response) => {
        response.on('data', (part: Buffer) => {
          received += part.length;
          chunks += 1;
        });
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
    assert.equal(status, 200);
    assert.equal(received, size);
    assert.ok(chunks > 1, 'the body arrived in many chunks, not as one buffer');
  });

  it('an upstream that does not answer in time gives 504 problem+json', async () => {
    const answer = await send(`${setup.url}/tools/slow.read`, { headers: { authorization: `Bearer ${agent}` } });
    assert.equal(answer.status, 504);
    assert.equal(answer.headers['content-type'], 'application/problem+json');
    assert.equal(answer.json.code, 'timeout');
    assert.match(answer.json.detail, /did not answer within 200 ms/);
  });

  it('an upstream that cannot be reached gives 502 problem+json', async () => {
    const answer = await send(`${setup.url}/tools/down.read`, { headers: { authorization: `Bearer ${agent}` } });
    assert.equal(answer.status, 502);
    assert.equal(answer.headers['content-type'], 'application/problem+json');
    assert.equal(answer.json.code, 'unavailable');
    assert.doesNotMatch(answer.json.detail, /127\.0\.0\.1/);
  });

  it("an upstream that breaks off mid-body breaks the agent's response too, rather than ending it as if complete", async () => {
    await assert.rejects(send(`${setup.url}/tools/broken.read`, { headers: { authorization: `Bearer ${agent}` } }));
  });

  it('no call stays counted in flight once answered', async () => {
    assert.equal(setup.gateway.inFlight.count, 0);
    assert.equal(setup.gateway.guard.inFlight, 0);
  });
});
