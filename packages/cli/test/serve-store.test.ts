import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_STORE, STORE_NAMES, storeKind } from '@estop/server';
import { main } from '../src/main.js';
import { bufferIo } from './fake-http.js';

describe("estop serve's --store is the server's store registry", () => {
  it('the help lists every store with its summary, marks the default, and says which take --database-url', async () => {
    const io = bufferIo();
    assert.equal(await main(['serve', '--help'], io), 0);
    assert.match(io.out(), new RegExp(`--store ${STORE_NAMES.join('\\|')}\\]`));
    for (const name of STORE_NAMES) {
      const line =
        io
          .out()
          .split('\n')
          .find((text) => text.trim().startsWith(`${name} `)) ?? '';
      assert.ok(line.includes(storeKind(name).summary), `${name}: ${line}`);
      assert.equal(line.endsWith('(default)'), name === DEFAULT_STORE, line);
    }
    const urlLine =
      io
        .out()
        .split('\n')
        .find((text) => text.trim().startsWith('--database-url')) ?? '';
    for (const name of STORE_NAMES) {
      assert.equal(urlLine.includes(name), storeKind(name).databaseUrl !== undefined, urlLine);
    }
  });

  it('refuses a store the registry does not hold as a usage error naming those it does', async () => {
    const io = bufferIo();
    assert.equal(await main(['serve', '--store', 'mysql', '--port', '0'], io), 2);
    for (const name of STORE_NAMES) assert.match(io.err(), new RegExp(`\\b${name}\\b`));
  });
});
