import { z } from 'zod';
import { Id } from '../../src-shared/schemas/entities';
import { OrderSortColumn, SortDirection } from '../../src-shared/schemas/queries';

/**
 * Keyset cursors of the console's order search: the last row's sort key and its (clinic, id)
 * tie-breaker, plus the sort they belong to, as base64url JSON. The desk has its own (keyed by its
 * local rowid, and src-server may not import src-main); this one is keyed by what identifies an
 * order across clinics. A cursor of another sort, or a tampered one, is refused, never a wrong page.
 */
const CursorBody = z
  .object({ s: OrderSortColumn, d: SortDirection, k: z.union([z.string().max(400), z.number().int().safe()]), c: Id, i: Id })
  .strict();
export type OrderCursor = z.infer<typeof CursorBody>;

export function encodeOrderCursor(body: OrderCursor): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

export function decodeOrderCursor(cursor: string, sort: OrderCursor['s'], direction: OrderCursor['d']): OrderCursor | null {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (_e) {
    return null;
  }
  const parsed = CursorBody.safeParse(json);
  if (!parsed.success || parsed.data.s !== sort || parsed.data.d !== direction) return null;
  return parsed.data;
}
