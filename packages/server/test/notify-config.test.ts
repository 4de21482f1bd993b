import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isEstopError, notifyEventOf } from '@estop/core';
import { loadServerConfig } from '../src/index.js';
import { retryDelayMs } from '../src/notify/retry-delay.js';

async function file(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'estop-notify-config-')), 'estop.yaml');
  await writeFile(path, text);
  return path;
}

const ISSUE_CONFIG = `
notify:
  - url: https://hooks.example.com/estop
    secret: \${ESTOP_WEBHOOK_SECRET}
    events: [rule-created, rule-lifted, rule-expired, sentinel-tripped, restore-requested, approval-requested, enforcement-lagging, drill-failed]
    format: json
  - url: https://hooks.slack.com/services/T000/B000/\${SLACK_PATH}
    format: slack
notify_lagging_after: 30s
triggers:
  - alert: AgentLoop
    match: {service: mailer}
    scope_from_labels: [tenant, agent]
    mode: read_only
    expires: 1h
`;

describe('notify and triggers in the config: secrets from the environment, bad entries refused', () => {
  it('reads the documented example, expanding ${VAR} in URLs and secrets', async () => {
    const config = await loadServerConfig(
      { config: await file(ISSUE_CONFIG) },
      { ESTOP_WEBHOOK_SECRET: 's3cret', SLACK_PATH: 'xyz' },
    );
    const [hooks, slack] = config.notify;
    assert.equal(hooks?.secret, 's3cret');
    assert.equal(hooks?.events.has('drill-failed'), true);
    assert.equal(hooks?.events.has('alert-resolved'), false);
    assert.equal(slack?.url, 'https://hooks.slack.com/services/T000/B000/xyz');
    assert.equal(slack?.name, 'https://hooks.slack.com', 'the path, which holds the secret, is not its name');
    assert.equal(slack?.format, 'slack');
    assert.equal(slack?.events.has('alert-resolved'), true, 'no events: all of them');
    assert.notEqual(hooks?.key, slack?.key);
    assert.equal(config.notifyLaggingAfterMs, 30_000);
    assert.deepEqual(config.triggers, [
      {
        alert: 'AgentLoop',
        match: { service: 'mailer' },
        scopeFromLabels: ['tenant', 'agent'],
        mode: 'read_only',
        expiresInMs: 3_600_000,
      },
    ]);
  });

  it('defaults to no receivers, no triggers and 10 s before lagging is notified', async () => {
    const config = await loadServerConfig({}, {});
    assert.deepEqual([config.notify, config.triggers, config.notifyLaggingAfterMs], [[], [], 10_000]);
  });

  for (const [title, text, message] of [
    [
      'a variable that is not set',
      'notify:\n  - url: https://x.example.com\n    secret: ${NOPE}\n',
      /notify\[0\]\.secret names \$\{NOPE\}/,
    ],
    ['a URL that is not http', 'notify:\n  - url: ftp://x.example.com\n', /http:\/\/ or https:\/\//],
    ['an unknown event', 'notify:\n  - url: https://x.example.com\n    events: [rule-exploded]\n', /events/],
    [
      'two receivers on one URL',
      'notify:\n  - url: https://x.example.com\n  - url: https://x.example.com\n',
      /a URL of its own/,
    ],
    [
      'a trigger scope field that is no scope',
      'triggers:\n  - alert: A\n    scope_from_labels: [namespace]\n',
      /scope_from_labels/,
    ],
    ['a duration without its unit', 'notify_lagging_after: 30\n', /notify_lagging_after/],
  ] as const) {
    it(`refuses ${title}`, async () => {
      await assert.rejects(loadServerConfig({ config: await file(text) }, {}), (error: unknown) => {
        assert.ok(isEstopError(error, 'config_invalid'), String(error));
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

describe('what is notified and when it is retried', () => {
  it('a sentinel rule is sentinel-tripped, another rule rule-created, and unnotified actions nothing', () => {
    assert.equal(
      notifyEventOf({ action: 'rule-created', actor: { id: 'sentinel:flood', kind: 'system' } }),
      'sentinel-tripped',
    );
    assert.equal(
      notifyEventOf({ action: 'rule-created', actor: { id: 'alert:AgentLoop', kind: 'system' } }),
      'rule-created',
    );
    assert.equal(notifyEventOf({ action: 'drill-failed', actor: { id: 'ops', kind: 'human' } }), 'drill-failed');
    assert.equal(notifyEventOf({ action: 'drill-passed', actor: { id: 'ops', kind: 'human' } }), undefined);
    assert.equal(notifyEventOf({ action: 'calls-blocked', actor: { id: 'w', kind: 'agent' } }), undefined);
  });

  it('backs off exponentially, capped, with up to half taken off at random', () => {
    const policy = { baseMs: 1000, maxMs: 8000, attempts: 10 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((attempts) => retryDelayMs(policy, attempts, () => 1)),
      [1000, 2000, 4000, 8000, 8000, 8000],
    );
    assert.equal(
      retryDelayMs(policy, 3, () => 0),
      2000,
    );
  });
});
