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

/**
 * round(a × b / den), halves away from zero, exactly, for safe integers a and b and a positive safe
 * den. Plain numbers while every intermediate is a safe integer (the push path prices thousands of
 * lines a second, and each BigInt operation allocates); BigInt beyond that. Undefined when the
 * result itself is not a safe integer.
 */
export function mulDivRoundHalfUp(a: number, b: number, den: number): number | undefined {
  const product = a * b;
  const abs = Math.abs(product);
  // A true product beyond 2^53 lands at or above 2^53 as a double, so this test is exact.
  if (abs <= (Number.MAX_SAFE_INTEGER - den) / 2) {
    const n = 2 * abs + den;
    const d = 2 * den;
    // The double quotient is correctly rounded, so its floor can be one off: fix with exact products.
    let q = Math.floor(n / d);
    if (q * d > n) q -= 1;
    else if ((q + 1) * d <= n) q += 1;
    return product < 0 && q !== 0 ? -q : q;
  }
  return toSafeNumber(divRoundHalfUp(BigInt(a) * BigInt(b), BigInt(den)));
}

export function isSafeInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** BigInt back to a number, or undefined when it would lose precision. */
export function toSafeNumber(value: bigint): number | undefined {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
  return Number(value);
}
