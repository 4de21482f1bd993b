import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isEstopError } from '@estop/core';
import { sha256Hex } from '@estop/core/testing';
import { DEFAULT_STORE, STORE_NAMES, loadServerConfig, storeKind } from '../src/index.js';

const directories: string[] = [];
after(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

async function scratch(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'estop-store-registry-'));
  directories.push(directory);
  return directory;
}

/** What a store needs besides its name, so that the config takes it. */
function needs(name: (typeof STORE_NAMES)[number]): { databaseUrl?: string } {
  const url = storeKind(name).databaseUrl;
  return url === undefined ? {} : { databaseUrl: url.example };
}

describe('the stores the control plane runs on are the registry, and the config follows it', () => {
  it('defaults to the first store, which keeps its data in the data directory', async () => {
    assert.equal(DEFAULT_STORE, STORE_NAMES[0]);
    assert.equal((await loadServerConfig({}, {})).store, DEFAULT_STORE);
    assert.equal(storeKind(DEFAULT_STORE).usesDataDirectory, true);
  });

  it('takes every store in the registry by name, from a flag, the environment and the file', async () => {
    for (const name of STORE_NAMES) {
      const extra = needs(name);
      assert.equal((await loadServerConfig({ store: name, ...extra }, {})).store, name);
      const env = {
        ESTOP_STORE: name,
        ...(extra.databaseUrl === undefined ? {} : { ESTOP_DATABASE_URL: extra.databaseUrl }),
      };
      assert.equal((await loadServerConfig({}, env)).store, name);
      const path = join(await scratch(), 'estop.yaml');
      const url = extra.databaseUrl === undefined ? '' : `, database_url: "${extra.databaseUrl}"`;
      await writeFile(path, `server: {store: ${name}${url}}\n`);
      assert.equal((await loadServerConfig({ config: path }, {})).store, name);
    }
  });

  it('refuses a store the registry does not hold, naming those it does', async () => {
    await assert.rejects(loadServerConfig({}, { ESTOP_STORE: 'mysql' }), (error) => {
      assert.ok(isEstopError(error, 'config_invalid'));
      for (const name of STORE_NAMES) assert.match(error.message, new RegExp(`\\b${name}\\b`));
      assert.match(error.message, /mysql/);
      return true;
    });
    const path = join(await scratch(), 'estop.yaml');
    await writeFile(path, 'server: {store: mysql}\n');
    await assert.rejects(loadServerConfig({ config: path }, {}), (error) => isEstopError(error, 'config_invalid'));
  });

  it('refuses a store that takes a database URL without one, showing what one looks like', async () => {
    const takingUrl = STORE_NAMES.filter((name) => storeKind(name).databaseUrl !== undefined);
    assert.ok(takingUrl.length > 0);
    for (const name of takingUrl) {
      await assert.rejects(loadServerConfig({ store: name }, {}), (error) => {
        assert.ok(isEstopError(error, 'config_invalid'));
        assert.match(error.message, /--database-url/);
        assert.ok(error.message.includes(storeKind(name).databaseUrl?.example ?? '?'), error.message);
        return true;
      });
    }
  });

  it('opens the default store under the data directory, ready to migrate', async () => {
    const data = join(await scratch(), 'data');
    const store = await storeKind(DEFAULT_STORE).open({ data, sha256: sha256Hex });
    try {
      await store.migrate();
      const { version, rules } = await store.rules.state();
      assert.deepEqual({ version, rules }, { version: 0, rules: [] });
      assert.ok(existsSync(data));
    } finally {
      await store.close();
    }
  });
});
