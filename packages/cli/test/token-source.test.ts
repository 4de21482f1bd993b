import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../src/index.js';
import { bufferIo, problem, startFakeHttp } from './fake-http.js';

const REFUSAL = 'this needs the operator role; the token "workers" is enforcer';
const KILL = ['kill', '--tenant', 'acme', '--mode', 'read_only', '--reason', 'looping'];

describe('a refused token says where it came from and how to use another', async () => {
  const server = await startFakeHttp({ 'POST /v1/rules': problem('forbidden', 403, REFUSAL) });
  after(() => server.close());

  it('names ESTOP_TOKEN when the token came from the environment', async () => {
    const io = bufferIo({ ESTOP_URL: server.url, ESTOP_TOKEN: 'estop_workers' });
    assert.equal(await main(KILL, io), 1);
    assert.match(io.err(), new RegExp(`${REFUSAL}; the token came from ESTOP_TOKEN`));
    assert.match(io.err(), /pass --token/);
  });

  it('names --token when the token came from the command line, even with ESTOP_TOKEN set', async () => {
    const io = bufferIo({ ESTOP_URL: server.url, ESTOP_TOKEN: 'estop_other' });
    assert.equal(await main([...KILL, '--token', 'estop_workers'], io), 1);
    assert.match(io.err(), /the token came from --token/);
  });

  it('names ./.estop/admin-token when the token came from that file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'estop-token-source-'));
    await mkdir(join(directory, '.estop'));
    await writeFile(join(directory, '.estop', 'admin-token'), 'estop_workers\n');
    const io = bufferIo({ ESTOP_URL: server.url }, directory);
    assert.equal(await main(KILL, io), 1);
    assert.match(io.err(), /the token came from \.\/\.estop\/admin-token; pass --token or set ESTOP_TOKEN/);
  });
});
