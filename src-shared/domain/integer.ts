/**
 * Exact integer helpers. Money products (gross × rate, balance × interest) can exceed 2^53 before
 * the division, so they are done in BigInt and only the rounded result returns to a number.
 */

/** round(num / den), halves away from zero (the usual commercial rounding of öre). den > 0. */
export function divRoundHalfUp(num: bigint, den: bigint): bigint {
  const negative = num < 0n;
  const abs = negative ? -num : num;
  const q = (2n * abs + den) / (2n * den);
  return negative ? -q : q;
}

export function isSafeInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** BigInt back to a number, or undefined when it would lose precision. */
export function toSafeNumber(value: bigint): number | undefined {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
  return Number(value);
}
