import assert from 'node:assert/strict';
import { readEventStream } from '@estop/client';
import { applyChange, applyResume, type StateSnapshot } from '@estop/core';

/** One event of a state stream, its data parsed. */
export interface StreamFrame {
  type: string;
  id: string | undefined;
  data: any;
}

/** Opens `GET /v1/stream` (resuming from `lastEventId` when given) and collects its events as they come. */
export async function openStateStream(
  url: string,
  token: string,
  lastEventId?: string,
): Promise<{ frames: StreamFrame[]; close(): void }> {
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const response = await fetch(`${url}/v1/stream`, { headers, signal: controller.signal });
  assert.equal(response.status, 200);
  const frames: StreamFrame[] = [];
  readEventStream(response.body as ReadableStream<Uint8Array>, (event) =>
    frames.push({ type: event.type, id: event.id, data: JSON.parse(event.data) }),
  ).catch(() => {
    // Aborted by close().
  });
  return { frames, close: () => controller.abort() };
}

/**
 * The state a client ends in after applying the frames as an enforcer does, starting from
 * `held` (what it had before it connected); throws on a gap or a resume from another version.
 */
export function stateAfter(held: StateSnapshot | undefined, frames: readonly StreamFrame[]): StateSnapshot {
  let state = held;
  for (const frame of frames) {
    if (frame.type === 'snapshot') state = frame.data as StateSnapshot;
    else if (frame.type === 'resume') {
      assert.ok(state !== undefined, 'a resume needs a held state');
      state = applyResume(state, frame.data);
      assert.ok(state !== undefined, `resumed from ${frame.data.version}, another version than the one held`);
    } else if (frame.type === 'change') {
      assert.ok(state !== undefined, 'a change before the start');
      const next = applyChange(state, frame.data);
      assert.ok(next !== undefined, `a gap: version ${frame.data.version} after ${state.version}`);
      state = next;
    }
  }
  assert.ok(state !== undefined, 'no state');
  return state;
}

/** A state with its rules in id order, for comparing states that list the same rules in another order. */
export function normalized(state: StateSnapshot): StateSnapshot {
  return { ...state, rules: [...state.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}
