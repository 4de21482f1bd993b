import { EstopError } from '@estop/core';
import { z } from 'zod';

/** The most items one page of a list holds, and the page size when the request names none. */
export const MAX_PAGE_ITEMS = 1000;

/**
 * The most bytes of JSON one page holds: a page stops early rather than pass it (it always
 * holds at least one item), so that a list of large items (approvals with their arguments)
 * is never one huge answer.
 */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;

const CursorText = z.string().regex(/^[A-Za-z0-9_-]{1,1000}$/, 'not a cursor this server issued');
const CursorFields = z.strictObject({ id: z.string().max(1000), offset: z.number().int().min(0) });

/** The `limit` and `cursor` query parameters every list endpoint takes. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_ITEMS).default(MAX_PAGE_ITEMS),
  cursor: CursorText.optional(),
});

/** One page of a list and the cursor of the next, `null` on the last page. */
export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

function encodeCursor(fields: z.output<typeof CursorFields>): string {
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): z.output<typeof CursorFields> {
  try {
    return CursorFields.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new EstopError({ code: 'invalid_request', message: 'query: cursor: not a cursor this server issued' });
  }
}

/** The id of the last item a cursor's page gave, for lists that read the store from there. */
export function cursorId(cursor: string): string {
  return decodeCursor(cursor).id;
}

/**
 * The page of `items` (in their list order) after `cursor`: the cursor names the last item
 * given and its position, so the next page starts after that item, or at that position if it
 * has left the list since. A page holds at most `limit` items and about `MAX_PAGE_BYTES`.
 */
export function paginate<Item>(
  items: readonly Item[],
  idOf: (item: Item) => string,
  query: { limit: number; cursor?: string | undefined },
): Page<Item> {
  let start = 0;
  if (query.cursor !== undefined) {
    const { id, offset } = decodeCursor(query.cursor);
    const found = items.findIndex((item) => idOf(item) === id);
    start = found === -1 ? Math.min(offset, items.length) : found + 1;
  }
  const page: Item[] = [];
  let bytes = 0;
  for (let index = start; index < items.length && page.length < query.limit; index += 1) {
    const item = items[index] as Item;
    bytes += Buffer.byteLength(JSON.stringify(item) ?? '');
    if (page.length > 0 && bytes > MAX_PAGE_BYTES) break;
    page.push(item);
  }
  const end = start + page.length;
  const last = page.at(-1);
  return {
    items: page,
    nextCursor: end < items.length && last !== undefined ? encodeCursor({ id: idOf(last), offset: end }) : null,
  };
}
