// Completions travel in requests of their own: a claim never waits behind a batch of
// completions the control plane is still carrying out.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ControlPlaneClient } from '../src/control-plane-client.js';
import { GovernanceClient } from '../src/governance-client.js';
import { ReplicaSet } from '../src/replica-set.js';

interface Op {
  op: string;
  key: string;
}

/** A batch endpoint that answers claims at once and holds every request carrying a completion until released. */
function holdingCompletions() {
  const held: (() => void)[] = [];
  const requests: string[][] = [];
  const server = createServer((request, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { ops } = JSON.parse(Buffer.concat(chunks).toString()) as { ops: Op[] };
      requests.push(ops.map((op) => op.op));
      const answer = () => {
        const results = ops.map((op) =>
          op.op === 'claim' ? { status: 'claimed', key: op.key, claimId: `c-${op.key}` } : { status: 'ok' },
        );
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ results }));
      };
      if (ops.some((op) => op.op === 'complete')) held.push(answer);
      else answer();
    });
  });
  return { server, held, requests };
}

describe('completions of idempotency keys', () => {
  const plane = holdingCompletions();
  let governance: GovernanceClient;
  before(async () => {
    await new Promise<void>((resolve) => plane.server.listen(0, '127.0.0.1', resolve));
    const { port } = plane.server.address() as AddressInfo;
    governance = new GovernanceClient(
      new ControlPlaneClient(new ReplicaSet([new URL(`http://127.0.0.1:${port}/`)]), 'estop_test'),
    );
  });
  after(async () => {
    plane.server.closeAllConnections();
    await new Promise<void>((resolve) => plane.server.close(() => resolve()));
  });

  it('go in requests of their own, so a claim is answered while they are still being carried out', async () => {
    const signal = new AbortController().signal;
    const completed = governance.complete(
      { tenant: 'acme', tool: 'email.send', key: 'first', claimId: 'c-first', resultJson: '{"sent":true}' },
      signal,
    );
    while (plane.held.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const claim = { tenant: 'acme', tool: 'email.send', key: 'second', windowMs: 60_000, waitMs: 0, enforcer: 'e' };
    const answer = await governance.claim(claim, signal);
    assert.deepEqual(answer, { status: 'claimed', key: 'second', claimId: 'c-second' });
    assert.deepEqual(plane.requests, [['complete'], ['claim']]);
    for (const release of plane.held) release();
    await completed;
  });
});
