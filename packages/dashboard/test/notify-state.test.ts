import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeliveryView, NotifyReceiverView } from '../src/api/types.js';
import { receiverStates } from '../src/components/notify-state.js';

function receiver(name: string): NotifyReceiverView {
  return {
    receiver: `k-${name}`,
    name,
    format: 'json',
    signed: false,
    events: [],
    cursor: 0,
    pending: 0,
    delivered: 0,
    failed: 0,
  };
}

function delivery(name: string, createdAt: string, fields: Partial<DeliveryView>): DeliveryView {
  return {
    id: `${name}-${createdAt}`,
    receiver: `k-${name}`,
    name,
    event: 'rule-created',
    status: 'delivered',
    attempts: 1,
    createdAt,
    ...fields,
  };
}

describe("each receiver's delivery state is its newest delivery's, with its newest error", () => {
  it('reads delivered, retrying, queued and failed, whatever the order of the list', () => {
    const states = receiverStates({
      receivers: [receiver('ok'), receiver('flaky'), receiver('down'), receiver('new'), receiver('queued')],
      deliveries: [
        delivery('ok', '2026-12-07T05:00:00.000Z', { status: 'failed', attempts: 12, lastError: 'HTTP 500' }),
        delivery('ok', '2026-12-07T05:10:00.000Z', {}),
        delivery('flaky', '2026-12-07T05:10:00.000Z', { status: 'pending', attempts: 2, lastError: 'HTTP 503' }),
        delivery('down', '2026-12-07T05:10:00.000Z', {
          status: 'failed',
          attempts: 12,
          lastError: 'connection refused',
        }),
        delivery('queued', '2026-12-07T05:10:00.000Z', { status: 'pending', attempts: 0 }),
      ],
    });
    assert.deepEqual(
      states.map((state) => [state.receiver.name, state.state, state.lastFailure?.lastError]),
      [
        ['ok', 'delivered', 'HTTP 500'],
        ['flaky', 'retrying', 'HTTP 503'],
        ['down', 'failed', 'connection refused'],
        ['new', 'nothing sent yet', undefined],
        ['queued', 'queued', undefined],
      ],
    );
  });
});
