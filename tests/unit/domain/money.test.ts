import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  VAT_RATE_PERCENT,
  allocate,
  formatSek,
  fromProviderAmount,
  lineAmount,
  oreSchema,
  parseSek,
  toProviderAmount,
  vatOfGross,
  vatSummary,
} from '../../../src-shared/domain/money';
import { DomainContractError } from '../../../src-shared/domain/result';
import type { VatCode } from '../../../src-shared/schemas/enums';

const NBSP = '\u00A0';
const NNBSP = '\u202F';

function errCode<T, E extends { code: string }>(r: { ok: true; value: T } | { ok: false; error: E }): string | undefined {
  return r.ok ? undefined : r.error.code;
}

describe('parseSek', () => {
  it.each([
    ['1 234,50', 123450],
    ['1234,5', 123450],
    ['1 234,50 kr', 123450],
    ['1234.50', 123450],
    ['-12,00', -1200],
    ['−12,00 kr', -1200],
    [`1${NBSP}234${NBSP}567,89`, 123456789],
    [`1${NNBSP}234,00${NBSP}kr`, 123400],
    ['1\u2009234', 123400],
    ['  42  ', 4200],
    ['0,05', 5],
    ['+7', 700],
    ['12 SEK', 1200],
    ['SEK 12,3', 1230],
    ['1234 kr.', 123400],
    ['0', 0],
    ['-0,00', 0],
    ['90071992547409,91', Number.MAX_SAFE_INTEGER],
  ])('parses %j as %i öre', (text, ore) => {
    expect(parseSek(text)).toEqual({ ok: true, value: ore });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['kr', 'format'],
    ['-', 'format'],
    ['abc', 'format'],
    ['12,3a', 'format'],
    ['1.234,50', 'format'],
    ['1,234.50', 'format'],
    [',50', 'format'],
    ['12,', 'format'],
    ['1e5', 'format'],
    ['12 34', 'grouping'],
    ['1 2345', 'grouping'],
    ['1234,567', 'too_many_decimals'],
    ['1.234', 'too_many_decimals'],
    ['0,001', 'too_many_decimals'],
    ['90071992547409,92', 'out_of_range'],
    ['99999999999999999999', 'out_of_range'],
  ])('rejects %j with %s', (text, code) => {
    const r = parseSek(text);
    expect(errCode(r)).toBe(code);
    if (!r.ok) expect(r.error.message.length).toBeGreaterThan(10);
  });

  it('rejects non-text input with a typed error', () => {
    expect(errCode(parseSek(12 as unknown as string))).toBe('invalid_type');
  });
});

describe('formatSek', () => {
  it('formats Swedish style with the NBSP characters Intl emits', () => {
    const sv = formatSek(123450);
    expect(sv.replace(/[\s\u00A0\u202F]/g, ' ')).toBe('1 234,50 kr');
    expect(sv).toBe(new Intl.NumberFormat('sv-SE', { style: 'currency', currency: 'SEK' }).format(1234.5));
    expect(formatSek(5)).toMatch(/^0,05\skr$/);
    expect(formatSek(-1200).replace(/\s/g, ' ')).toBe('−12,00 kr');
    expect(formatSek(-0)).toBe(formatSek(0));
  });

  it('formats English', () => {
    expect(formatSek(123450, 'en')).toBe(new Intl.NumberFormat('en-SE', { style: 'currency', currency: 'SEK' }).format(1234.5));
  });

  it('keeps every öre of amounts near 2^53', () => {
    expect(formatSek(Number.MAX_SAFE_INTEGER).replace(/\s/g, '')).toBe('90071992547409,91kr');
  });

  it('rejects bad input with a typed error', () => {
    expect(() => formatSek(1.5)).toThrow(DomainContractError);
    expect(() => formatSek(Number.NaN)).toThrow(/whole number of öre/);
    expect(() => formatSek(2 ** 53)).toThrow(DomainContractError);
    expect(() => formatSek(100, 'de' as 'sv')).toThrow(/Unknown language/);
  });

  it('property: parseSek(formatSek(x)) === x in both languages', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (ore) => {
        expect(parseSek(formatSek(ore))).toEqual({ ok: true, value: ore });
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ore) => {
        // en-SE also groups with spaces and uses a decimal comma
        expect(parseSek(formatSek(ore, 'en'))).toEqual({ ok: true, value: ore });
      }),
    );
  });
});

describe('provider amounts', () => {
  it('writes two decimals without floats', () => {
    expect(toProviderAmount(123450)).toBe('1234.50');
    expect(toProviderAmount(5)).toBe('0.05');
    expect(toProviderAmount(0)).toBe('0.00');
    expect(toProviderAmount(-1200)).toBe('-12.00');
    expect(toProviderAmount(Number.MAX_SAFE_INTEGER)).toBe('90071992547409.91');
  });

  it.each([
    [1234.5, 123450],
    [0.1, 10],
    [0.29, 29], // 0.29 * 100 = 28.999999999999996 in floats
    [1.005, undefined],
    [12, 1200],
    ['1234.50', 123450],
    ['1234,5', 123450],
    [' 12.3400 ', 1234],
    ['-5.01', -501],
    ['0', 0],
  ])('reads %j', (value, ore) => {
    const r = fromProviderAmount(value);
    if (ore === undefined) expect(errCode(r)).toBe('too_many_decimals');
    else expect(r).toEqual({ ok: true, value: ore });
  });

  it.each([
    [null, 'invalid_type'],
    [undefined, 'invalid_type'],
    [{}, 'invalid_type'],
    [true, 'invalid_type'],
    ['', 'empty'],
    ['12.3.4', 'format'],
    ['1 234.50', 'format'],
    ['abc', 'format'],
    [Number.NaN, 'format'],
    [Number.POSITIVE_INFINITY, 'format'],
    [1e-7, 'too_many_decimals'],
    [1e25, 'out_of_range'],
    ['123456789012345678.00', 'out_of_range'],
    ['1.234', 'too_many_decimals'],
  ])('rejects %j with %s', (value, code) => {
    expect(errCode(fromProviderAmount(value))).toBe(code);
  });

  it('rejects non-öre input to toProviderAmount', () => {
    expect(() => toProviderAmount(12.5)).toThrow(DomainContractError);
  });

  it('property: round trip through the provider format', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (ore) => {
        expect(fromProviderAmount(toProviderAmount(ore))).toEqual({ ok: true, value: ore });
      }),
    );
  });

  it('oreSchema accepts only safe integers', () => {
    expect(oreSchema.safeParse(100).success).toBe(true);
    expect(oreSchema.safeParse(1.5).success).toBe(false);
    expect(oreSchema.safeParse(2 ** 53).success).toBe(false);
  });
});

describe('VAT', () => {
  it('has the Swedish rates', () => {
    expect(VAT_RATE_PERCENT).toEqual({ exempt: 0, se25: 25, se12: 12, se6: 6 });
  });

  it('extracts VAT from VAT-inclusive prices, rounding half up', () => {
    expect(vatOfGross(12500, 'se25')).toBe(2500);
    expect(vatOfGross(100000, 'exempt')).toBe(0);
    expect(vatOfGross(11200, 'se12')).toBe(1200);
    expect(vatOfGross(10600, 'se6')).toBe(600);
    expect(vatOfGross(10, 'se25')).toBe(2); // 10 * 25/125 = 2
    expect(vatOfGross(1, 'se25')).toBe(0); // 0.2
    expect(vatOfGross(3, 'se25')).toBe(1); // 0.6
    expect(vatOfGross(53, 'se6')).toBe(3); // 3.0
    expect(vatOfGross(1325, 'se6')).toBe(75); // exactly 75
    expect(vatOfGross(-12500, 'se25')).toBe(-2500);
    expect(vatOfGross(Number.MAX_SAFE_INTEGER, 'se25')).toBe(1801439850948198); // 0.2 × (2^53−1), exact
  });

  it('rounds an exact half öre up (away from zero for credits)', () => {
    // se12: gross × 12 / 112 = 3·gross / 28, which is k + ½ for gross = 14 → 1.5 öre
    expect(vatOfGross(14, 'se12')).toBe(2);
    expect(vatOfGross(-14, 'se12')).toBe(-2);
    // se6: gross × 6 / 106 = 3·gross / 53, k + ½ never happens (53 is odd); 2.49 → 2
    expect(vatOfGross(44, 'se6')).toBe(2);
  });

  it('rejects bad input with a typed error', () => {
    expect(() => vatOfGross(1.5, 'se25')).toThrow(DomainContractError);
    expect(() => vatOfGross(100, 'se99' as VatCode)).toThrow(/Unknown VAT code/);
  });

  it('summarises per VAT code on summed amounts', () => {
    const s = vatSummary([
      { gross: 12500, vatCode: 'se25' },
      { gross: 3, vatCode: 'se25' },
      { gross: 3, vatCode: 'se25' },
      { gross: 80000, vatCode: 'exempt' },
    ]);
    expect(s.rows).toEqual([
      { vatCode: 'se25', ratePercent: 25, gross: 12506, vat: 2501, net: 10005 },
      { vatCode: 'exempt', ratePercent: 0, gross: 80000, vat: 0, net: 80000 },
    ]);
    expect(s.total).toEqual({ gross: 92506, vat: 2501, net: 90005 });
    expect(vatSummary([])).toEqual({ rows: [], total: { gross: 0, vat: 0, net: 0 } });
  });

  it('vatSummary rejects bad lines with a typed error', () => {
    expect(() => vatSummary([{ gross: 1.5, vatCode: 'se25' }])).toThrow(/lines\.0\.gross/);
    expect(() => vatSummary([{ gross: 100, vatCode: 'x' as VatCode }])).toThrow(DomainContractError);
    expect(() => vatSummary(null as unknown as [])).toThrow(DomainContractError);
    expect(() => vatSummary([{ gross: Number.MAX_SAFE_INTEGER, vatCode: 'se25' }, { gross: 10, vatCode: 'se25' }])).toThrow(/too large/);
  });

  it('property: gross = net + vat per row and in total', () => {
    const code = fc.constantFrom<VatCode>('exempt', 'se25', 'se12', 'se6');
    fc.assert(
      fc.property(fc.array(fc.record({ gross: fc.integer({ min: 0, max: 1e9 }), vatCode: code })), (lines) => {
        const s = vatSummary(lines);
        for (const row of s.rows) expect(row.net + row.vat).toBe(row.gross);
        expect(s.total.gross).toBe(lines.reduce((a, l) => a + l.gross, 0));
        expect(s.total.net + s.total.vat).toBe(s.total.gross);
      }),
    );
  });
});

describe('lineAmount', () => {
  it('multiplies and discounts, rounding to the öre', () => {
    expect(lineAmount({ unitPrice: 99900, quantity: 2, discountBp: 0 })).toEqual({ ok: true, value: 199800 });
    expect(lineAmount({ unitPrice: 99900, quantity: 1, discountBp: 1000 })).toEqual({ ok: true, value: 89910 });
    expect(lineAmount({ unitPrice: 333, quantity: 1, discountBp: 5000 })).toEqual({ ok: true, value: 166 }); // 166.5 discount → 167
    expect(lineAmount({ unitPrice: 50000, quantity: 3, discountBp: 10000 })).toEqual({ ok: true, value: 0 });
    expect(lineAmount({ unitPrice: 0, quantity: 1, discountBp: 0 })).toEqual({ ok: true, value: 0 });
  });

  it.each([
    [{ unitPrice: 100, quantity: -1, discountBp: 0 }, 'invalid_quantity', 'quantity'],
    [{ unitPrice: 100, quantity: 0, discountBp: 0 }, 'invalid_quantity', 'quantity'],
    [{ unitPrice: 100, quantity: 1.5, discountBp: 0 }, 'invalid_quantity', 'quantity'],
    [{ unitPrice: 100.5, quantity: 1, discountBp: 0 }, 'not_integer', 'unitPrice'],
    [{ unitPrice: -100, quantity: 1, discountBp: 0 }, 'negative', 'unitPrice'],
    [{ unitPrice: 100, quantity: 1, discountBp: -1 }, 'invalid_discount', 'discountBp'],
    [{ unitPrice: 100, quantity: 1, discountBp: 10001 }, 'invalid_discount', 'discountBp'],
    [{ unitPrice: 100, quantity: 1, discountBp: 2.5 }, 'invalid_discount', 'discountBp'],
    [{ unitPrice: Number.MAX_SAFE_INTEGER, quantity: 2, discountBp: 0 }, 'out_of_range', undefined],
  ])('rejects %j with %s', (input, code, field) => {
    const r = lineAmount(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.field).toBe(field);
    }
  });

  it('rejects a missing input object', () => {
    expect(errCode(lineAmount(undefined as never))).toBe('not_integer');
  });
});

describe('allocate', () => {
  it('splits by largest remainder', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(allocate(1000, [5000, 3000, 2000])).toEqual([500, 300, 200]);
    expect(allocate(10, [0, 1, 0])).toEqual([0, 10, 0]);
    expect(allocate(0, [1, 2])).toEqual([0, 0]);
    expect(allocate(5, [0.5, 0.25, 0.25])).toEqual([3, 1, 1]);
    expect(allocate(2, [1, 1, 1])).toEqual([1, 1, 0]);
  });

  it('rejects bad input with a typed error', () => {
    expect(() => allocate(100, [])).toThrow(DomainContractError);
    expect(() => allocate(100, [0, 0])).toThrow(/positive/);
    expect(() => allocate(100, [1, -1])).toThrow(/weights\.1|Weight 1/);
    expect(() => allocate(100, [Number.NaN])).toThrow(DomainContractError);
    expect(() => allocate(1.5, [1])).toThrow(DomainContractError);
    expect(() => allocate(100, null as unknown as number[])).toThrow(DomainContractError);
  });

  it('property: parts sum exactly to the total and stay within one öre of the exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 20 }).filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          const sum = weights.reduce((a, b) => a + b, 0);
          parts.forEach((p, i) => {
            expect(Number.isSafeInteger(p)).toBe(true);
            expect(Math.abs(p - (total * (weights[i] ?? 0)) / sum)).toBeLessThan(1 + 1e-6);
            if (weights[i] === 0) expect(p).toBe(0);
          });
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 10 }).filter((w) => w.some((x) => x > 1e-3)),
        (total, weights) => {
          expect(allocate(total, weights).reduce((a, b) => a + b, 0)).toBe(total);
        },
      ),
    );
  });
});
