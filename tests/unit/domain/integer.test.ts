import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divRoundHalfUp, mulDivRoundHalfUp, toSafeNumber } from '../../../src-shared/domain/integer';

/** The BigInt definition the number path must agree with, bit for bit. */
const reference = (a: number, b: number, den: number) => toSafeNumber(divRoundHalfUp(BigInt(a) * BigInt(b), BigInt(den)));

const MAX = Number.MAX_SAFE_INTEGER;
// Amounts anywhere in the safe range, with extra weight where the number path hands over to BigInt.
const amount = fc.oneof(fc.integer({ min: -MAX, max: MAX }), fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.integer({ min: MAX - 100_000, max: MAX }), fc.integer({ min: 2 ** 51 - 1000, max: 2 ** 51 + 1000 }));

describe('mulDivRoundHalfUp', () => {
  it('agrees with the BigInt definition for every safe input (VAT and discount shapes included)', () => {
    fc.assert(
      fc.property(amount, fc.oneof(fc.constantFrom(0, 6, 12, 25, 1, 9_999, 10_000), fc.integer({ min: -MAX, max: MAX })), fc.oneof(fc.constantFrom(100, 106, 112, 125, 10_000, 120_000), fc.integer({ min: 1, max: MAX })), (a, b, den) => {
        expect(mulDivRoundHalfUp(a, b, den)).toBe(reference(a, b, den));
      }),
      { numRuns: 20_000 },
    );
  });

  it('rounds halves away from zero and keeps exact quotients', () => {
    expect(mulDivRoundHalfUp(5, 1, 10)).toBe(1); // 0.5 → 1
    expect(mulDivRoundHalfUp(-5, 1, 10)).toBe(-1); // -0.5 → -1
    expect(mulDivRoundHalfUp(4, 1, 10)).toBe(0);
    expect(mulDivRoundHalfUp(12_500, 25, 125)).toBe(2_500); // VAT of 125,00 kr at 25 %
    expect(mulDivRoundHalfUp(-3, 0, 100)).toBe(0);
  });

  it('goes exact beyond 2^53 and answers undefined when the result is not safe', () => {
    // 2^53 − 1 times 3 overflows the number path; the BigInt path gives the exact third.
    expect(mulDivRoundHalfUp(MAX, 3, 3)).toBe(MAX);
    expect(mulDivRoundHalfUp(MAX, 2, 1)).toBeUndefined();
  });
});
