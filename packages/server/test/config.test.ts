import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isEstopError } from '@estop/core';
import { loadServerConfig } from '../src/index.js';

async function file(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'estop-config-')), 'estop.yaml');
  await writeFile(path, text);
  return path;
}

describe('configuration: every option has a safe default, and bad files are refused clearly', () => {
  it('defaults to SQLite under ./.estop on 127.0.0.1:7070, stops defaulting to read_only', async () => {
    const config = await loadServerConfig({}, {});
    assert.deepEqual(
      [config.host, config.port, config.data, config.store, config.defaultMode, config.keepAliveMs],
      ['127.0.0.1', 7070, './.estop', 'sqlite', 'read_only', 5000],
    );
  });

  it("accepts the seed article's kill_switch block and takes its mode as the default", async () => {
    const path = await file(`kill_switch:
  global_flag: "agent_kill_global"
  per_tenant_flag_prefix: "agent_kill_tenant:"
  mode_when_enabled: "disable_writes"
  disabled_tools_key: "agent_disabled_tools"
  cache_ttl_s: 2
tools:
  email.send: write
  search.read: read
`);
    const config = await loadServerConfig({ config: path }, {});
    assert.equal(config.defaultMode, 'read_only');
    assert.deepEqual(config.tools, { 'email.send': 'write', 'search.read': 'read' });
  });

  it('restore governance defaults to a second admin for global rules and full stops, no cooldown, 1h requests', async () => {
    assert.deepEqual((await loadServerConfig({}, {})).restore, {
      secondApprover: ['global', 'full_stop'],
      cooldownMs: 0,
      requestTtlMs: 3_600_000,
    });
    const path = await file('restore:\n  second_approver: [global, read_only]\n  cooldown: 5m\n  request_ttl: 30m\n');
    assert.deepEqual((await loadServerConfig({ config: path }, {})).restore, {
      secondApprover: ['global', 'read_only'],
      cooldownMs: 300_000,
      requestTtlMs: 1_800_000,
    });
    const never = await file('restore:\n  request_ttl: 0s\n');
    await assert.rejects(loadServerConfig({ config: never }, {}), /request_ttl/);
    const bad = await file('restore:\n  second_approver: [everything]\n');
    await assert.rejects(loadServerConfig({ config: bad }, {}), (error) => isEstopError(error, 'config_invalid'));
  });

  it('forgets departed enforcers after 10m unless enforcers.forget_after or ESTOP_ENFORCERS_FORGET_AFTER says', async () => {
    assert.equal((await loadServerConfig({}, {})).enforcerForgetAfterMs, 600_000);
    const path = await file('enforcers:\n  forget_after: 2m\n');
    assert.equal((await loadServerConfig({ config: path }, {})).enforcerForgetAfterMs, 120_000);
    const fromEnvironment = await loadServerConfig({ config: path }, { ESTOP_ENFORCERS_FORGET_AFTER: '30s' });
    assert.equal(fromEnvironment.enforcerForgetAfterMs, 30_000);
  });

  it('refuses a forget_after without its unit, or too short for replicas sharing a store', async () => {
    const refused = (pattern: RegExp) => (error: unknown) =>
      isEstopError(error, 'config_invalid') && pattern.test(error.message);
    const bare = await file('enforcers:\n  forget_after: 600\n');
    await assert.rejects(loadServerConfig({ config: bare }, {}), refused(/forget_after.*600 what\?/));
    const short = await file('enforcers:\n  forget_after: 5s\n');
    await assert.rejects(loadServerConfig({ config: short }, {}), refused(/forget_after.*at least 10s, not 5s/));
    await assert.rejects(
      loadServerConfig({}, { ESTOP_ENFORCERS_FORGET_AFTER: '10' }),
      refused(/ESTOP_ENFORCERS_FORGET_AFTER: 10 what\?/),
    );
    await assert.rejects(
      loadServerConfig({}, { ESTOP_ENFORCERS_FORGET_AFTER: '9s' }),
      refused(/ESTOP_ENFORCERS_FORGET_AFTER\) must be at least 10s/),
    );
    const typo = await file('enforcers:\n  forget: 5m\n');
    await assert.rejects(loadServerConfig({ config: typo }, {}), refused(/forget/));
  });

  it('lets flags win over the environment, and the environment over the file', async () => {
    const path = await file('server: {port: 9000, host: 0.0.0.0}\n');
    const fromEnvironment = await loadServerConfig({ config: path }, { ESTOP_PORT: '9100' });
    assert.deepEqual([fromEnvironment.port, fromEnvironment.host], [9100, '0.0.0.0']);
    const fromFlag = await loadServerConfig({ config: path, port: 9200 }, { ESTOP_PORT: '9100' });
    assert.equal(fromFlag.port, 9200);
  });

  it('refuses an unknown key, naming it', async () => {
    const path = await file('server: {prot: 9000}\n');
    await assert.rejects(loadServerConfig({ config: path }, {}), (error) => {
      assert.ok(isEstopError(error, 'config_invalid'));
      assert.match(error.message, /prot/);
      return true;
    });
  });

  it('refuses an unknown mode and a postgres store without a URL', async () => {
    const path = await file('kill_switch: {mode_when_enabled: pause}\n');
    await assert.rejects(loadServerConfig({ config: path }, {}), /unknown mode "pause"/);
    await assert.rejects(loadServerConfig({ store: 'postgres' }, {}), /database-url/);
    await assert.rejects(loadServerConfig({}, { ESTOP_PORT: 'seventy' }), /port/);
  });

  it('keeps idempotency keys in the store unless Redis is configured, and refuses a URL that is not redis://', async () => {
    assert.equal((await loadServerConfig({}, {})).redis, undefined);
    const path = await file('redis: {url: "redis://127.0.0.1:6379", prefix: "estop:"}\n');
    assert.deepEqual((await loadServerConfig({ config: path }, {})).redis, {
      url: 'redis://127.0.0.1:6379',
      prefix: 'estop:',
    });
    const fromEnvironment = await loadServerConfig({}, { ESTOP_REDIS_URL: 'rediss://cache:6380' });
    assert.deepEqual(fromEnvironment.redis, { url: 'rediss://cache:6380' });
    const bad = await file('redis: {url: "http://127.0.0.1:6379"}\n');
    await assert.rejects(loadServerConfig({ config: bad }, {}), (error) => isEstopError(error, 'config_invalid'));
    await assert.rejects(loadServerConfig({}, { ESTOP_REDIS_URL: 'localhost:6379' }), /redis:\/\//);
  });

  it('has no sentinels by default, and reads them with their defaults (per tenant, read_only)', async () => {
    assert.deepEqual((await loadServerConfig({}, {})).sentinels, []);
    const path = await file(`sentinel:
  - name: email-flood
    signal: writes
    tool: "email.*"
    threshold: 50
    window: 1m
  - name: big-spender
    signal: spend
    threshold: 12.5
    window: 1h
  - name: loop
    signal: duplicates
    per: run
    threshold: 5
    window: 10m
    mode: full_stop
    expires: 30m
  - name: shadow-loop
    signal: duplicates
    threshold: 5
    window: 10m
    enforce: false
`);
    const sentinels = (await loadServerConfig({ config: path }, {})).sentinels;
    assert.deepEqual(sentinels.pop(), {
      name: 'shadow-loop',
      signal: 'duplicates',
      tool: undefined,
      per: 'tenant',
      threshold: 5,
      windowMs: 600_000,
      mode: 'read_only',
      expiresInMs: undefined,
      enforce: false,
    });
    assert.deepEqual(sentinels, [
      {
        name: 'email-flood',
        signal: 'writes',
        tool: 'email.*',
        per: 'tenant',
        threshold: 50,
        windowMs: 60_000,
        mode: 'read_only',
        expiresInMs: undefined,
      },
      {
        name: 'big-spender',
        signal: 'spend',
        tool: undefined,
        per: 'tenant',
        threshold: 12.5,
        windowMs: 3_600_000,
        mode: 'read_only',
        expiresInMs: undefined,
      },
      {
        name: 'loop',
        signal: 'duplicates',
        tool: undefined,
        per: 'run',
        threshold: 5,
        windowMs: 600_000,
        mode: 'full_stop',
        expiresInMs: 1_800_000,
      },
    ]);
  });

  it('refuses a sentinel with an unknown signal, no threshold, an empty window or a name used twice', async () => {
    const cases: [string, RegExp][] = [
      ['sentinel: [{name: a, signal: reads, threshold: 1, window: 1m}]', /signal/],
      ['sentinel: [{name: a, signal: writes, window: 1m}]', /threshold/],
      ['sentinel: [{name: a, signal: writes, threshold: 1, window: 0s}]', /window must be longer than 0s/],
      [
        'sentinel: [{name: a, signal: writes, threshold: 1, window: 1m}, {name: a, signal: failures, threshold: 1, window: 1m}]',
        /unique/,
      ],
      ['sentinel: [{name: "Email Flood", signal: writes, threshold: 1, window: 1m}]', /sentinel name/],
      ['sentinel: [{name: a, signal: writes, threshold: 2.5, window: 1m}]', /whole number/],
      ['sentinel: [{name: a, signal: spend, tool: "email.*", threshold: 10, window: 1h}]', /takes no tool/],
    ];
    for (const [text, message] of cases) {
      await assert.rejects(loadServerConfig({ config: await file(`${text}\n`) }, {}), (error) => {
        assert.ok(isEstopError(error, 'config_invalid'), String(error));
        assert.match(error.message, message);
        return true;
      });
    }
  });
});

describe('configuration: the request body limit', () => {
  it('defaults to 1 MiB and takes `limits.body` with a unit', async () => {
    assert.equal((await loadServerConfig({}, {})).bodyLimitBytes, 1024 * 1024);
    const path = await file('limits:\n  body: 256kb\n');
    assert.equal((await loadServerConfig({ config: path }, {})).bodyLimitBytes, 256 * 1024);
    const bytes = await file('limits:\n  body: 4096\n');
    assert.equal((await loadServerConfig({ config: bytes }, {})).bodyLimitBytes, 4096);
  });

  it('refuses a size without a known unit or outside 1kb to 100mb', async () => {
    for (const size of ['1gb', '"lots"', '10', '200mb']) {
      const path = await file(`limits:\n  body: ${size}\n`);
      await assert.rejects(loadServerConfig({ config: path }, {}), (error) => isEstopError(error, 'config_invalid'));
    }
  });
});
