import { z } from 'zod';

/**
 * Opaque keyset cursors: the last row's sort key and its local id (the tie-breaker), plus the sort
 * they belong to, base64url-encoded JSON. A cursor from another sort, or one that was tampered
 * with, is refused rather than silently giving a wrong page.
 */
const CursorBody = z.object({
  s: z.string().max(40),
  d: z.enum(['asc', 'desc']),
  k: z.union([z.string().max(200), z.number().int().safe()]),
  i: z.number().int().safe(),
});
export type CursorBody = z.infer<typeof CursorBody>;

export function encodeCursor(body: CursorBody): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, sort: string, direction: 'asc' | 'desc'): CursorBody | null {
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
