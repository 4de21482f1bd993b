import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TriggerSpec } from '../src/notify/notify-config.js';
import { receiverKey, receiverName } from '../src/notify/receiver.js';
import { eventually, startTestControlPlane, type TestControlPlane } from './harness.js';
import { startReceiver, type TestReceiver } from './webhook-receiver.js';

const TRIGGERS: TriggerSpec[] = [
  {
    alert: 'AgentLoop',
    match: { service: 'mailer' },
    scopeFromLabels: ['tenant', 'agent'],
    mode: 'read_only',
    expiresInMs: 3_600_000,
  },
];

/** An alert as Alertmanager's webhook (version 4) sends it. */
function alert(status: 'firing' | 'resolved', labels: Record<string, string>, fingerprint: string) {
  return {
    status,
    labels: { alertname: 'AgentLoop', service: 'mailer', severity: 'page', ...labels },
    annotations: { summary: 'agent is looping on email.send', runbook_url: 'https://runbooks.example.com/loop' },
    startsAt: '2026-03-01T09:00:00.123456789Z',
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-03-01T09:30:00Z',
    generatorURL: 'http://prometheus.example.com/graph?g0.expr=rate%28x%5B5m%5D%29',
    fingerprint,
  };
}

function payload(alerts: unknown[], status: 'firing' | 'resolved' = 'firing') {
  return {
    version: '4',
    groupKey: '{}:{alertname="AgentLoop"}',
    truncatedAlerts: 0,
    status,
    receiver: 'estop',
    groupLabels: { alertname: 'AgentLoop' },
    commonLabels: { alertname: 'AgentLoop' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com',
    alerts,
  };
}

describe('an Alertmanager alert pulls the switch, once per firing', () => {
  let cp: TestControlPlane;
  let receiver: TestReceiver;
  let hook: string;
  before(async () => {
    receiver = await startReceiver();
    cp = await startTestControlPlane({
      triggers: TRIGGERS,
      notify: {
        receivers: [
          {
            key: receiverKey(receiver.url),
            name: receiverName(receiver.url),
            url: receiver.url,
            secret: 'test-secret',
            events: new Set(['rule-created', 'alert-resolved']),
            format: 'json',
          },
        ],
      },
    });
    hook = await cp.token('hook');
  });
  after(async () => {
    await cp.close();
    await receiver.close();
  });

  it('a firing alert creates an audited rule on the scope its labels name, with actor alert:<name>', async () => {
    const fired = await cp.request('/v1/hooks/alertmanager', {
      token: hook,
      body: payload([alert('firing', { tenant: 'acme', agent: 'mailer-1' }, 'a1b2c3d4e5f60718')]),
    });
    assert.equal(fired.status, 200, JSON.stringify(fired.body));
    const [outcome] = fired.body.alerts;
    assert.equal(outcome.outcome, 'created');
    const rule = (await cp.request(`/v1/rules/${outcome.ruleId}`)).body;
    assert.deepEqual(rule.rule.scope, { tenant: 'acme', agent: 'mailer-1' });
    assert.equal(rule.rule.mode, 'read_only');
    assert.equal(rule.rule.actor.id, 'alert:AgentLoop');
    assert.match(rule.rule.reason, /agent is looping/);
    assert.ok(rule.rule.expiresAt !== undefined);
    const entries = (await cp.request('/v1/audit')).body.entries as any[];
    const created = entries.find((entry) => entry.action === 'rule-created' && entry.ruleId === outcome.ruleId);
    assert.equal(created.data.alert.fingerprint, 'a1b2c3d4e5f60718');
    const notified = await eventually(() =>
      receiver.received.find((request) => request.json.data?.entry?.ruleId === outcome.ruleId),
    );
    assert.equal(notified.json.data.entry.actor.id, 'alert:AgentLoop');
  });

  it('Alertmanager repeating the firing alert makes no second rule', async () => {
    const body = payload([alert('firing', { tenant: 'acme', agent: 'mailer-1' }, 'a1b2c3d4e5f60718')]);
    const before = (await cp.request('/v1/rules')).body.rules.length;
    const again = await cp.request('/v1/hooks/alertmanager', { token: hook, body });
    const racing = await Promise.all([1, 2, 3].map(() => cp.request('/v1/hooks/alertmanager', { token: hook, body })));
    assert.equal(again.body.alerts[0].outcome, 'existing');
    assert.ok(racing.every((answer) => answer.status === 200 && answer.body.alerts[0].outcome === 'existing'));
    assert.equal((await cp.request('/v1/rules')).body.rules.length, before);
  });

  it('a resolved alert is recorded on its rule once and notified; the rule stands', async () => {
    const firing = alert('firing', { tenant: 'acme', agent: 'mailer-1' }, 'a1b2c3d4e5f60718');
    const ruleId = (await cp.request('/v1/hooks/alertmanager', { token: hook, body: payload([firing]) })).body.alerts[0]
      .ruleId as string;
    const resolved = payload(
      [alert('resolved', { tenant: 'acme', agent: 'mailer-1' }, 'a1b2c3d4e5f60718')],
      'resolved',
    );
    const first = await cp.request('/v1/hooks/alertmanager', { token: hook, body: resolved });
    const second = await cp.request('/v1/hooks/alertmanager', { token: hook, body: resolved });
    assert.equal(first.body.alerts[0].outcome, 'resolved');
    assert.equal(second.body.alerts[0].outcome, 'resolved-before');
    const entries = (await cp.request('/v1/audit')).body.entries as any[];
    assert.equal(entries.filter((entry) => entry.action === 'alert-resolved' && entry.ruleId === ruleId).length, 1);
    assert.equal((await cp.request(`/v1/rules/${ruleId}`)).body.lift, undefined, 'restoring stays governed');
    const notified = await eventually(() =>
      receiver.received.find((request) => request.json.event === 'alert-resolved'),
    );
    assert.equal(notified.json.data.entry.ruleId, ruleId);
  });

  it('an alert no trigger matches, or missing a scope label, stops nothing', async () => {
    const before = (await cp.request('/v1/rules')).body.rules.length;
    const answer = await cp.request('/v1/hooks/alertmanager', {
      token: hook,
      body: payload([
        alert('firing', { tenant: 'acme', agent: 'x', service: 'billing' }, 'ff00ff00ff00ff00'),
        alert('firing', { tenant: 'acme' }, 'ee00ee00ee00ee00'),
        { ...alert('firing', {}, 'dd00dd00dd00dd00'), labels: { alertname: 'Other' } },
      ]),
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(
      answer.body.alerts.map((outcome: any) => [outcome.outcome, outcome.reason]),
      [
        ['unmatched', undefined],
        ['skipped', 'the alert has no label agent'],
        ['unmatched', undefined],
      ],
    );
    assert.equal((await cp.request('/v1/rules')).body.rules.length, before);
  });

  it('a hook token bound to a tenant stops only within it', async () => {
    const acmeHook = await cp.token('hook', 'acme');
    const answer = await cp.request('/v1/hooks/alertmanager', {
      token: acmeHook,
      body: payload([alert('firing', { tenant: 'globex', agent: 'm' }, 'cc00cc00cc00cc00')]),
    });
    assert.equal(answer.body.alerts[0].outcome, 'skipped');
    assert.match(answer.body.alerts[0].reason, /bound to tenant acme/);
  });

  it('refuses a payload that is not Alertmanager version 4, or unbounded, as a problem', async () => {
    for (const body of [
      { ...payload([]), version: '3' },
      payload([{ ...alert('firing', {}, 'x'), status: 'pending' }]),
      payload([{ ...alert('firing', {}, 'x'), labels: { 'bad-name': 'x' } }]),
      payload(Array.from({ length: 1001 }, () => alert('firing', {}, 'x'))),
    ]) {
      const answer = await cp.request('/v1/hooks/alertmanager', { token: hook, body });
      assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 200));
      assert.equal(answer.type, 'application/problem+json');
      assert.equal(answer.body.code, 'invalid_request');
    }
  });

  it('only a hook token may call it, and a hook token may call nothing else', async () => {
    const operator = await cp.token('operator');
    const body = payload([]);
    assert.equal((await cp.request('/v1/hooks/alertmanager', { token: operator, body })).status, 403);
    assert.equal((await cp.request('/v1/hooks/alertmanager', { body })).status, 403, 'not even an admin');
    assert.equal((await cp.request('/v1/rules', { token: hook })).status, 403);
    const kill = await cp.request('/v1/rules', { token: hook, body: { scope: { tenant: 'acme' }, reason: 'x' } });
    assert.equal(kill.status, 403);
  });
});
