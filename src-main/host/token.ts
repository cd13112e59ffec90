import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A per-run secret for the browser host: 256 random bits, URL-safe. */
export function newHostToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time comparison. Both sides are hashed first so the comparison length does not depend
 * on the candidate, and timingSafeEqual never throws on a length mismatch.
 */
export function tokenMatches(expected: string, candidate: unknown): boolean {
  if (typeof candidate !== 'string' || candidate.length > 200) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(candidate).digest();
  return timingSafeEqual(a, b);
}
