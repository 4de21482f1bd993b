import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore } from '@estop/core';
import { sha256Hex } from '@estop/core/testing';
import { createControlPlane, type ControlPlane } from '@estop/server';
import { main } from '../src/main.js';
import { bufferIo } from './fake-http.js';

const ADMIN = 'estop_cli-restore-admin';
let plane: ControlPlane;
let url: string;
let secondAdmin: string;

async function api(path: string, body: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

async function cli(args: string[], token = ADMIN): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo({ ESTOP_URL: url, ESTOP_TOKEN: token });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

before(async () => {
  plane = await createControlPlane({ store: createMemoryStore({ sha256: sha256Hex }), adminToken: ADMIN });
  url = await plane.listen({ port: 0 });
  secondAdmin = (await api('/v1/tokens', { name: 'second-admin', role: 'admin' })).token;
});
after(() => plane.close());

describe('estop restore: a governed rule needs a second admin, staged restores step down', () => {
  it('restore RULE_ID of a full stop creates a request, listed until another admin confirms it', async () => {
    const { rule } = await api('/v1/rules', { scope: { tenant: 'acme' }, mode: 'full_stop', reason: 'incident' });
    const requested = await cli(['restore', rule.id, '--reason', 'fixed']);
    assert.equal(requested.code, 0, requested.err);
    const requestId =
      /^restore request (\S+) created: a second admin must confirm with `estop restore confirm \1 --reason …`$/m.exec(
        requested.out,
      )?.[1];
    assert.ok(requestId, requested.out);

    const listed = await cli(['restore']);
    assert.match(listed.out, new RegExp(`${requestId} +${rule.id} +tenant=acme +full_stop +lifted`));
    const json = await cli(['restore', '--json']);
    assert.deepEqual(
      JSON.parse(json.out).requests.map((request: any) => request.id),
      [requestId],
    );

    const same = await cli(['restore', 'confirm', requestId, '--reason', 'me again']);
    assert.equal(same.code, 1);
    assert.match(same.err, /second admin/);

    const confirmed = await cli(['restore', 'confirm', requestId, '--reason', 'checked'], secondAdmin);
    assert.equal(confirmed.code, 0, confirmed.err);
    assert.match(confirmed.out, new RegExp(`^confirmed restore request ${requestId}$`, 'm'));
    assert.match(confirmed.out, new RegExp(`restored: lifted rule ${rule.id} \\(by second-admin, version \\d+\\)`));
    assert.equal((await cli(['restore'])).out, 'no pending restore requests\n');
  });

  it('restore RULE_ID --to read_only of an ungoverned rule steps it down at once', async () => {
    const { rule } = await api('/v1/rules', { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'incident' });
    const staged = await cli(['restore', rule.id, '--to', 'draft_only', '--reason', 'drafts are fine']);
    assert.equal(staged.code, 0, staged.err);
    assert.match(staged.out, new RegExp(`^restored: lifted rule ${rule.id}, replaced by draft_only rule r_\\S+ \\(by`));
    const lifted = await cli(['restore', rule.id, '--reason', 'again']);
    assert.equal(lifted.code, 1);
    assert.match(lifted.err, /no active rule/);
  });
});
