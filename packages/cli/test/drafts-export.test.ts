import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Draft } from '@estop/core';
import { allDrafts } from '../src/drafts.js';

/** Drafts as the control plane pages them: newest first, strictly before `before`, at most `limit`. */
function pagingClient(drafts: readonly Draft[]) {
  const sorted = [...drafts].sort((a, b) => (a.at === b.at ? b.id.localeCompare(a.id) : b.at.localeCompare(a.at)));
  return {
    requests: 0,
    async listDrafts(query: { tenant?: string | undefined; before?: string | undefined; limit?: number | undefined }) {
      this.requests += 1;
      const older = sorted.filter((draft) => query.before === undefined || draft.at < query.before);
      return { drafts: older.slice(0, query.limit ?? 100) };
    },
  };
}

function draft(n: number, at: string): Draft {
  return {
    id: `draft_${String(n).padStart(5, '0')}`,
    tenant: 'acme',
    tool: 'email.send',
    args: { n },
    actor: { id: 'w', kind: 'agent' },
    at,
  };
}

describe('estop drafts export skips no draft, even where a page ends inside one millisecond', () => {
  it('yields each of 2500 drafts once, 700 of them sharing a millisecond across a page boundary', async () => {
    const drafts: Draft[] = [];
    for (let n = 0; n < 2500; n += 1) {
      // Drafts 1200-1899 share one millisecond; the first page (1000, newest first: 600 newer
      // ones, then 400 of them) ends inside it.
      const ms = n >= 1200 && n < 1900 ? 1200 : n;
      drafts.push(draft(n, new Date(Date.UTC(2026, 0, 1) + ms).toISOString()));
    }
    const client = pagingClient(drafts);
    const seen: string[] = [];
    for await (const found of allDrafts(client)) seen.push(found.id);
    assert.equal(seen.length, 2500);
    assert.equal(new Set(seen).size, 2500);
  });

  it('stops after one request when there are fewer than a page', async () => {
    const client = pagingClient([draft(1, '2026-01-01T00:00:00.000Z')]);
    const seen: string[] = [];
    for await (const found of allDrafts(client)) seen.push(found.id);
    assert.deepEqual([seen, client.requests], [['draft_00001'], 1]);
  });
});
