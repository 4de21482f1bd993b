import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { send, startSetup, type TestSetup } from './http-harness.js';

let setup: TestSetup;
before(async () => {
  setup = await startSetup();
});
after(() => setup.close());

describe('what Node refuses before the gateway sees it is a problem+json too', () => {
  it('answers headers over 16 KiB with a 431 problem', async () => {
    const answer = await send(`${setup.url}/tools/echo/items`, { headers: { 'x-padding': 'p'.repeat(20_000) } });
    assert.equal(answer.status, 431);
    assert.match(String(answer.headers['content-type']), /^application\/problem\+json/);
    assert.equal(answer.json.code, 'invalid_request');
  });

  it('answers a URL over 16 KiB with a 431 problem', async () => {
    const answer = await send(`${setup.url}/tools/echo/${'u'.repeat(20_000)}`);
    assert.equal(answer.status, 431);
    assert.match(String(answer.headers['content-type']), /^application\/problem\+json/);
  });

  it('answers bytes that are not HTTP with a 400 problem', async () => {
    const target = new URL(setup.url);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(target.port), target.hostname, () => socket.write('NOT HTTP\r\n\r\n'));
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    assert.match(text, /^HTTP\/1\.1 400/);
    assert.match(text, /content-type: application\/problem\+json/i);
  });
});
