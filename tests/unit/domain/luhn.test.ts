import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isLuhnValid, luhnCheckDigit } from '../../../src-shared/domain/luhn';
import { DomainContractError } from '../../../src-shared/domain/result';

describe('luhn', () => {
  it('matches published check digits', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3); // the classic Luhn example
    expect(luhnCheckDigit('121212121')).toBe(2); // Tolvan Tolvansson 121212-1212
    expect(luhnCheckDigit('811218987')).toBe(6); // Skatteverket's example 811218-9876
    expect(luhnCheckDigit('0')).toBe(0);
  });

  it('validates whole numbers', () => {
    expect(isLuhnValid('1212121212')).toBe(true);
    expect(isLuhnValid('1212121213')).toBe(false);
    expect(isLuhnValid('79927398713')).toBe(true);
  });

  it('rejects non-digit input', () => {
    for (const bad of ['', '12a', ' 12', '1-2', '１２']) {
      expect(() => luhnCheckDigit(bad)).toThrow(DomainContractError);
    }
    expect(() => luhnCheckDigit(12 as unknown as string)).toThrow(/one or more digits/);
    for (const bad of ['', '1', 'abc', '12 3', null, 42]) {
      expect(isLuhnValid(bad as string)).toBe(false);
    }
  });

  it('property: appending the check digit always validates, changing one digit never does', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,30}$/), fc.nat(), fc.integer({ min: 1, max: 9 }), (payload, pos, delta) => {
        const full = payload + String(luhnCheckDigit(payload));
        expect(isLuhnValid(full)).toBe(true);
        const i = pos % full.length;
        const changed = full.slice(0, i) + String((Number(full[i]) + delta) % 10) + full.slice(i + 1);
        expect(isLuhnValid(changed)).toBe(false);
      }),
    );
  });
});
