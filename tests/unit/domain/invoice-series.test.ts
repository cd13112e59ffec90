import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatInvoiceNumber,
  invoiceSeriesSchema,
  nextInvoiceNumber,
  ocrForInvoice,
  parseInvoiceNumber,
  parseInvoiceOcr,
  type InvoiceSeries,
} from '../../../src-shared/domain/invoice-series';
import { validateOcr } from '../../../src-shared/domain/ocr';
import { DomainContractError } from '../../../src-shared/domain/result';

const errCode = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? undefined : r.error?.code);

describe('invoice series', () => {
  it('allocates the next number and advances the series', () => {
    const series: InvoiceSeries = { seriesId: 'dev-1', prefix: 'K1', lastNumber: 41 };
    const next = nextInvoiceNumber(series);
    expect(next).toEqual({ series: { seriesId: 'dev-1', prefix: 'K1', lastNumber: 42 }, number: 42, invoiceNumber: 'K1-000042' });
    expect(series.lastNumber).toBe(41); // pure: the input is not mutated
    expect(nextInvoiceNumber({ seriesId: 's', prefix: 'ABCDEFGH', lastNumber: 0 }).invoiceNumber).toBe('ABCDEFGH-000001');
    expect(nextInvoiceNumber({ seriesId: 's', prefix: 'A', lastNumber: 999_999 }).invoiceNumber).toBe('A-1000000');
  });

  it('is sequential without gaps', () => {
    let series: InvoiceSeries = { seriesId: 's', prefix: 'D2', lastNumber: 0 };
    const numbers: number[] = [];
    for (let i = 0; i < 50; i++) {
      const next = nextInvoiceNumber(series);
      numbers.push(next.number);
      series = next.series;
    }
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it.each([
    [{ seriesId: 's', prefix: 'k1', lastNumber: 0 }, 'prefix'],
    [{ seriesId: 's', prefix: '', lastNumber: 0 }, 'prefix'],
    [{ seriesId: 's', prefix: 'ABCDEFGHI', lastNumber: 0 }, 'prefix'],
    [{ seriesId: 's', prefix: 'A-B', lastNumber: 0 }, 'prefix'],
    [{ seriesId: 's', prefix: 'ÅÄ', lastNumber: 0 }, 'prefix'],
    [{ seriesId: '', prefix: 'A', lastNumber: 0 }, 'seriesId'],
    [{ seriesId: 's', prefix: 'A', lastNumber: -1 }, 'lastNumber'],
    [{ seriesId: 's', prefix: 'A', lastNumber: 1.5 }, 'lastNumber'],
    [{ seriesId: 's', prefix: 'A', lastNumber: Number.MAX_SAFE_INTEGER }, 'lastNumber'],
  ])('refuses to number from an invalid series %j', (series, field) => {
    try {
      nextInvoiceNumber(series as InvoiceSeries);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainContractError);
      expect((e as DomainContractError).field).toBe(field);
    }
    expect(() => nextInvoiceNumber(null as unknown as InvoiceSeries)).toThrow(DomainContractError);
  });

  it('exposes the schema for stored series', () => {
    expect(invoiceSeriesSchema.safeParse({ seriesId: 'x', prefix: 'Z9', lastNumber: 3 }).success).toBe(true);
  });

  it('parses canonical invoice numbers only', () => {
    expect(parseInvoiceNumber('K1-000042')).toEqual({ ok: true, value: { prefix: 'K1', number: 42 } });
    expect(parseInvoiceNumber('A-1000000')).toEqual({ ok: true, value: { prefix: 'A', number: 1_000_000 } });
    expect(parseInvoiceNumber(formatInvoiceNumber('XY', 7))).toEqual({ ok: true, value: { prefix: 'XY', number: 7 } });
  });

  it.each([
    ['', 'format'],
    ['K1000042', 'format'],
    ['K1-', 'format'],
    ['K1-00004a', 'format'],
    ['k1-000042', 'invalid_prefix'],
    ['-000042', 'invalid_prefix'],
    ['ABCDEFGHI-000001', 'invalid_prefix'],
    ['K1-42', 'invalid_number'],
    ['K1-000000', 'invalid_number'],
    ['K1-0000042', 'invalid_number'],
    ['K1-99999999999999999', 'invalid_number'],
  ])('rejects %j with %s', (s, code) => {
    expect(errCode(parseInvoiceNumber(s))).toBe(code);
  });

  it('rejects non-text input', () => {
    expect(errCode(parseInvoiceNumber(42 as unknown as string))).toBe('format');
  });

  it('formatInvoiceNumber refuses what could not be parsed back', () => {
    expect(() => formatInvoiceNumber('k1', 1)).toThrow(DomainContractError);
    expect(() => formatInvoiceNumber('K1', 0)).toThrow(/from 1/);
    expect(() => formatInvoiceNumber('K1', 1.5)).toThrow(DomainContractError);
  });

  it('property: format and parse are inverse', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z0-9]{1,8}$/), fc.integer({ min: 1, max: 1e9 }), (prefix, n) => {
        expect(parseInvoiceNumber(formatInvoiceNumber(prefix, n))).toEqual({ ok: true, value: { prefix, number: n } });
      }),
    );
  });
});

describe('ocrForInvoice', () => {
  it('builds an OCR with a length digit from the series code and number', () => {
    expect(ocrForInvoice(1, 42)).toEqual({ ok: true, value: '1000004208' });
    const r = ocrForInvoice(99_999, 9_999_999);
    expect(r.ok && r.value.length).toBe(14);
    if (r.ok) expect(validateOcr(r.value, { lengthDigit: 'required' }).ok).toBe(true);
  });

  it.each([
    [0, 1, 'invalid_code'],
    [100_000, 1, 'invalid_code'],
    [1.5, 1, 'invalid_code'],
    [1, 0, 'invalid_number'],
    [1, 10_000_000, 'invalid_number'],
    [1, 2.5, 'invalid_number'],
    [Number.NaN, 1, 'invalid_code'],
  ])('rejects (%j, %j) with %s', (code, number, expected) => {
    expect(errCode(ocrForInvoice(code, number))).toBe(expected);
  });

  it('parses its own references back and rejects others', () => {
    expect(parseInvoiceOcr('1000004208')).toEqual({ ok: true, value: { prefixNumericCode: 1, number: 42 } });
    expect(errCode(parseInvoiceOcr('1000004209'))).toBe('format');
    expect(errCode(parseInvoiceOcr('123'))).toBe('format');
    expect(errCode(parseInvoiceOcr(null as unknown as string))).toBe('format');
  });

  it('property: distinct (code, number) pairs never share a reference, and it always validates', () => {
    const pair = fc.tuple(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 1, max: 9_999_999 }));
    fc.assert(
      fc.property(pair, pair, ([c1, n1], [c2, n2]) => {
        const a = ocrForInvoice(c1, n1);
        const b = ocrForInvoice(c2, n2);
        expect(a.ok && b.ok).toBe(true);
        if (!a.ok || !b.ok) return;
        expect(a.value === b.value).toBe(c1 === c2 && n1 === n2);
        expect(validateOcr(a.value, { lengthDigit: 'required' }).ok).toBe(true);
        expect(a.value.startsWith('0')).toBe(false);
        expect(parseInvoiceOcr(a.value)).toEqual({ ok: true, value: { prefixNumericCode: c1, number: n1 } });
      }),
    );
  });
});
