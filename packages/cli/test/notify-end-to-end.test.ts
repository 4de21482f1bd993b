import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startReceiver } from '../../server/test/webhook-receiver.js';
import { runCli, startServerProcess } from './processes.js';

async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a notification survives kill -9 of the control plane between the commit and its delivery', () => {
  it('is delivered after the restart, with exactly one delivery id, signed with the secret from the environment', async () => {
    const receiver = await startReceiver('e2e-secret');
    receiver.answer = () => 503;
    const directory = await mkdtemp(join(tmpdir(), 'estop-notify-e2e-'));
    const config = join(directory, 'estop.yaml');
    await writeFile(
      config,
      `notify:\n  - url: ${receiver.url}\n    secret: \${ESTOP_WEBHOOK_SECRET}\n    events: [rule-created, drill-failed]\n`,
    );
    process.env.ESTOP_WEBHOOK_SECRET = 'e2e-secret';
    const data = join(directory, 'data');
    const first = await startServerProcess({ data, args: ['--config', config] });
    try {
      const env = { ESTOP_URL: first.url, ESTOP_TOKEN: first.adminToken };
      const kill = await runCli(['kill', '--tenant', 'acme', '--reason', 'outbox', '--wait', '0', '--json'], env);
      assert.equal(kill.code, 0, kill.stderr);
      const ruleId = JSON.parse(kill.stdout).rule.id as string;
      const forRule = () => receiver.received.filter((request) => request.json.data?.entry?.ruleId === ruleId);
      // Committed and attempted, not delivered: the receiver answered 503.
      await eventually(() => forRule().length >= 1);
      await first.stop('SIGKILL');
      receiver.answer = () => 200;

      const second = await startServerProcess({ data, args: ['--config', config], adminToken: first.adminToken });
      try {
        await eventually(() => forRule().some((request) => request.status === 200));
        const ids = new Set(forRule().map((request) => request.headers['x-estop-delivery']));
        assert.equal(ids.size, 1, 'one delivery id across attempts, the kill and the restart');
        assert.ok(forRule().every((request) => request.signed));
        const secondEnv = { ESTOP_URL: second.url, ESTOP_TOKEN: second.adminToken };
        const status = await runCli(['notify', 'status', '--json'], secondEnv);
        assert.equal(status.code, 0, status.stderr);
        const delivery = JSON.parse(status.stdout).deliveries.find((item: any) => ids.has(item.id));
        assert.equal(delivery.status, 'delivered');
        assert.ok(delivery.attempts >= 2);
        const shown = await runCli(['notify', 'status'], secondEnv);
        assert.match(shown.stdout, /^receiver\s+format\s+signed/m);
        assert.ok(!shown.stdout.includes('key=abc'), 'the receiver is shown by its origin only');

        const tested = await runCli(['notify', 'test'], secondEnv);
        assert.equal(tested.code, 0, tested.stdout + tested.stderr);
        assert.match(tested.stdout, /^http:\/\/127\.0\.0\.1:\d+: delivered \(dl_[0-9a-f]{32}\)$/m);

        // No enforcer is connected: the drill fails, and that is notified.
        const drill = await runCli(['drill'], secondEnv);
        assert.equal(drill.code, 1);
        const failed = await eventually(() =>
          receiver.received.find((request) => request.json.event === 'drill-failed'),
        );
        assert.match(failed.json.text, /no enforcer is connected/);
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
      await receiver.close();
    }
  });
});
