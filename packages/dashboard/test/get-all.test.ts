import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAll, type Api } from '../src/api/client.js';

/** An Api whose list answers `pages`, one per cursor. */
function pagedApi(pages: Array<{ items: number[]; nextCursor: string | null }>): Api & { asked: string[] } {
  const asked: string[] = [];
  return {
    token: 't',
    asked,
    async get<T>(path: string) {
      asked.push(path);
      const cursor = /cursor=(\d+)/.exec(path)?.[1];
      const page = pages[cursor === undefined ? 0 : Number(cursor)];
      return { version: 7, items: page?.items ?? [], nextCursor: page?.nextCursor ?? null } as T;
    },
    post: () => Promise.reject(new Error('not used')),
    open: () => Promise.reject(new Error('not used')),
  };
}

describe('a view reads a whole paged list by following cursors', () => {
  it('joins every page and keeps the first page’s other fields', async () => {
    const api = pagedApi([
      { items: [1, 2], nextCursor: '1' },
      { items: [3], nextCursor: '2' },
      { items: [4], nextCursor: null },
    ]);
    const list = await getAll<{ version: number; items: number[] }>(api, '/v1/runs?status=pending', 'items');
    assert.deepEqual(list.items, [1, 2, 3, 4]);
    assert.equal(list.version, 7);
    assert.deepEqual(api.asked, [
      '/v1/runs?status=pending',
      '/v1/runs?status=pending&cursor=1',
      '/v1/runs?status=pending&cursor=2',
    ]);
  });
});
