import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseBankgiro } from '../../../src-shared/domain/bankgiro';
import { makeOcr, validateOcr } from '../../../src-shared/domain/ocr';

const errCode = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? undefined : r.error?.code);

describe('OCR references', () => {
  it('builds without a length digit', () => {
    expect(makeOcr('12345', { lengthDigit: false })).toEqual({ ok: true, value: '123455' });
  });

  it('builds with a length digit that takes part in the Luhn sum', () => {
    // 5 base digits + length digit + check digit = 7 → length digit 7, Luhn over "123457" = 4
    expect(makeOcr('12345', { lengthDigit: true })).toEqual({ ok: true, value: '1234574' });
    // length 10 → length digit 0 (mod 10)
    expect(makeOcr('10000042', { lengthDigit: true })).toEqual({ ok: true, value: '1000004208' });
  });

  it('enforces 2–25 digits', () => {
    expect(makeOcr('1', { lengthDigit: false })).toMatchObject({ ok: true, value: '18' });
    expect(makeOcr('1'.repeat(24), { lengthDigit: false }).ok).toBe(true);
    expect(errCode(makeOcr('1'.repeat(25), { lengthDigit: false }))).toBe('length');
    expect(makeOcr('1'.repeat(23), { lengthDigit: true }).ok).toBe(true);
    expect(errCode(makeOcr('1'.repeat(24), { lengthDigit: true }))).toBe('length');
  });

  it('rejects bad bases with typed errors', () => {
    expect(errCode(makeOcr('', { lengthDigit: true }))).toBe('empty');
    expect(errCode(makeOcr('12a', { lengthDigit: true }))).toBe('format');
    expect(errCode(makeOcr('12 3', { lengthDigit: false }))).toBe('format');
    expect(errCode(makeOcr(123 as unknown as string, { lengthDigit: false }))).toBe('empty');
  });

  it('validates with and without a required length digit', () => {
    expect(validateOcr('1234574', { lengthDigit: 'required' })).toEqual({ ok: true, value: '1234574' });
    expect(validateOcr('1234574')).toEqual({ ok: true, value: '1234574' });
    expect(validateOcr('123455', { lengthDigit: 'forbidden' })).toEqual({ ok: true, value: '123455' });
    expect(validateOcr(' 1234 574 ', { lengthDigit: 'auto' })).toEqual({ ok: true, value: '1234574' });
  });

  it('catches a wrong length digit even when the Luhn digit is right', () => {
    // "12345" + length digit 8 (wrong: total is 7) + a correct Luhn digit over "123458"
    const wrong = makeOcr('123458', { lengthDigit: false });
    expect(wrong.ok).toBe(true);
    if (!wrong.ok) return;
    const r = validateOcr(wrong.value, { lengthDigit: 'required' });
    expect(errCode(r)).toBe('length_digit');
    if (!r.ok) expect(r.error.message).toMatch(/must be 7/);
    expect(validateOcr(wrong.value, { lengthDigit: 'forbidden' }).ok).toBe(true);
  });

  it.each([
    ['', {}, 'empty'],
    ['  ', {}, 'empty'],
    ['12-34', {}, 'format'],
    ['1', {}, 'length'],
    ['18', { lengthDigit: 'required' as const }, 'length'],
    ['1'.repeat(26), {}, 'length'],
    ['1234575', {}, 'checksum'],
    ['1234575', { lengthDigit: 'required' as const }, 'checksum'],
  ])('rejects %j (%j) with %s', (ocr, opts, code) => {
    expect(errCode(validateOcr(ocr, opts))).toBe(code);
  });

  it('rejects non-text input', () => {
    expect(errCode(validateOcr(null as unknown as string))).toBe('format');
  });

  it('property: makeOcr output validates in the matching mode', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,23}$/), fc.boolean(), (base, lengthDigit) => {
        const r = makeOcr(base, { lengthDigit });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value.startsWith(base)).toBe(true);
        expect(r.value.length).toBe(base.length + (lengthDigit ? 2 : 1));
        expect(validateOcr(r.value, { lengthDigit: lengthDigit ? 'required' : 'forbidden' }).ok).toBe(true);
      }),
    );
  });
});

describe('parseBankgiro', () => {
  it('parses 7 and 8 digit numbers with or without hyphen', () => {
    expect(parseBankgiro('5050-1055')).toEqual({ ok: true, value: { digits: '50501055', display: '5050-1055' } });
    expect(parseBankgiro(' 50501055 ')).toEqual({ ok: true, value: { digits: '50501055', display: '5050-1055' } });
    expect(parseBankgiro('991-2346')).toEqual({ ok: true, value: { digits: '9912346', display: '991-2346' } });
    expect(parseBankgiro('9912346')).toEqual({ ok: true, value: { digits: '9912346', display: '991-2346' } });
  });

  it.each([
    ['', 'empty'],
    ['abc', 'format'],
    ['50-501055', 'format'],
    ['5050-105', 'format'],
    ['123456', 'length'],
    ['123456789', 'length'],
    ['5050-1056', 'checksum'],
    ['9912345', 'checksum'],
  ])('rejects %j with %s', (input, code) => {
    const r = parseBankgiro(input);
    expect(errCode(r)).toBe(code);
    if (!r.ok) expect(r.error.field).toBe('bankgiro');
  });

  it('rejects non-text input', () => {
    expect(errCode(parseBankgiro(50501055 as unknown as string))).toBe('format');
  });
});
