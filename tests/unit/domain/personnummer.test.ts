import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { luhnCheckDigit } from '../../../src-shared/domain/luhn';
import { ageOn, formatPersonnummer, parsePersonnummer, personnummerSchema } from '../../../src-shared/domain/personnummer';
import { DomainContractError } from '../../../src-shared/domain/result';

const TODAY = '2026-11-22';
/** A Luhn-valid 10-digit tail: YYMMDD + NNN + check. */
const valid10 = (yymmdd: string, nnn: string) => `${yymmdd}${nnn}${luhnCheckDigit(yymmdd + nnn)}`;

function code(input: string, today = TODAY): string | undefined {
  const r = parsePersonnummer(input, today);
  return r.ok ? undefined : r.error.code;
}
function canonical(input: string, today = TODAY): string | undefined {
  const r = parsePersonnummer(input, today);
  return r.ok ? r.value.canonical : `error:${r.error.code}`;
}

describe('parsePersonnummer', () => {
  it('parses the 12-digit forms with and without separator', () => {
    expect(parsePersonnummer('19121212-1212', TODAY)).toEqual({
      ok: true,
      value: { canonical: '191212121212', birthDate: '1912-12-12', coordination: false, sex: 'male', display: '19121212-1212' },
    });
    expect(canonical('191212121212')).toBe('191212121212');
    expect(canonical('  19811218-9876 \n')).toBe('198112189876');
  });

  it('parses the 10-digit forms, choosing the century by separator and today', () => {
    expect(canonical('121212-1212')).toBe('201212121212');
    expect(canonical('1212121212')).toBe('201212121212');
    expect(canonical('811218-9876')).toBe('198112189876');
    expect(canonical('8112189876')).toBe('198112189876');
    // born today → this century; born tomorrow's date → last century (not in the future)
    expect(canonical(valid10('261122', '123'))).toBe(`20${valid10('261122', '123')}`);
    expect(canonical(valid10('261123', '123'))).toBe(`19${valid10('261123', '123')}`);
  });

  it("'+' means aged 100 or more", () => {
    expect(canonical('121212+1212')).toBe('191212121212');
    const r = parsePersonnummer('121212+1212', TODAY);
    expect(r.ok && ageOn(r.value, TODAY)).toBe(113);
    // exactly 100 today
    const hundred = parsePersonnummer(valid10('261122', '456').replace(/^(\d{6})/, '$1+'), TODAY);
    expect(hundred.ok && hundred.value.birthDate).toBe('1926-11-22');
    expect(hundred.ok && ageOn(hundred.value, TODAY)).toBe(100);
    // turns 100 tomorrow → '+' means the century before
    const notYet = parsePersonnummer(valid10('261123', '456').replace(/^(\d{6})/, '$1+'), TODAY);
    expect(notYet.ok && notYet.value.birthDate).toBe('1826-11-23');
    // '+' is only for the 10-digit form
    expect(code('19121212+1212')).toBe('format');
  });

  it('handles leap days per century', () => {
    const leap = valid10('000229', '123');
    expect(canonical(`20${leap}`)).toBe(`20${leap}`);
    expect(parsePersonnummer(`20${leap}`, TODAY)).toMatchObject({ ok: true, value: { birthDate: '2000-02-29' } });
    expect(code(`19${leap}`)).toBe('invalid_date'); // 1900 was not a leap year
    expect(canonical(leap)).toBe(`20${leap}`);
    expect(code(`${leap.slice(0, 6)}+${leap.slice(6)}`)).toBe('invalid_date'); // + → 1900-02-29
    expect(code(`20${valid10('010229', '123')}`)).toBe('invalid_date');
  });

  it('accepts coordination numbers (day + 60)', () => {
    const r = parsePersonnummer('701063-2391', TODAY);
    expect(r).toEqual({
      ok: true,
      value: { canonical: '197010632391', birthDate: '1970-10-03', coordination: true, sex: 'male', display: '19701063-2391' },
    });
    expect(canonical(`20${valid10('000289', '234')}`)).toBe(`20${valid10('000289', '234')}`); // 29 Feb 2000 + 60
    expect(code(`19${valid10('000289', '234')}`)).toBe('invalid_date');
    expect(code(valid10('701092', '234'))).toBe('invalid_date'); // 32 + 60
    expect(code(valid10('701045', '234'))).toBe('invalid_date'); // neither a day nor a coordination day
  });

  it('tells the sex from the second-to-last digit', () => {
    const female = parsePersonnummer(`19${valid10('850101', '248')}`, TODAY);
    expect(female.ok && female.value.sex).toBe('female');
    const male = parsePersonnummer(`19${valid10('850101', '249')}`, TODAY);
    expect(male.ok && male.value.sex).toBe('male');
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['abc', 'format'],
    ['12345', 'format'],
    ['1212121-212', 'format'],
    ['19121212--1212', 'format'],
    ['191212121212 x', 'format'],
    ['1912 1212 1212', 'format'],
    [`19${valid10('121312', '121')}`, 'invalid_date'],
    [`19${valid10('121232', '121')}`, 'invalid_date'],
    [`19${valid10('120431', '121')}`, 'invalid_date'],
    [`19${valid10('121200', '121')}`, 'invalid_date'],
    [`19${valid10('121212', '000')}`, 'serial_000'],
    ['121212-0002', 'serial_000'],
    ['19121212-1213', 'checksum'],
    ['1212121219', 'checksum'],
    [`20${valid10('301212', '121')}`, 'future_date'],
    [`20${valid10('261123', '121')}`, 'future_date'],
  ])('rejects %j with %s', (input, expected) => {
    const r = parsePersonnummer(input, TODAY);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(expected);
      expect(r.error.field).toBe('personnummer');
      expect(r.error.message.length).toBeGreaterThan(15);
    }
  });

  it('rejects non-text input and a bad `today` with typed errors', () => {
    expect(code(1212121212 as unknown as string)).toBe('format');
    expect(() => parsePersonnummer('121212-1212', '2026-13-01')).toThrow(DomainContractError);
  });

  it('defaults today to the current Stockholm date', () => {
    expect(canonical('121212-1212', undefined)).toBe('201212121212');
    expect(parsePersonnummer(`29${valid10('991231', '123')}`).ok).toBe(false);
  });

  it('property: any real birth date and serial round-trips through every written form', () => {
    const birth = fc
      .date({ min: new Date('1850-01-01T00:00:00Z'), max: new Date('2026-11-22T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(birth, fc.integer({ min: 1, max: 999 }), fc.boolean(), (date, serialN, coordination) => {
        const [y, m, d] = date.split('-');
        const day = coordination ? String(Number(d) + 60) : d;
        const serial = String(serialN).padStart(3, '0');
        const ten = valid10(`${y!.slice(2)}${m}${day}`, serial);
        const full = `${y!.slice(0, 2)}${ten}`;
        const r = parsePersonnummer(full, TODAY);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value.birthDate).toBe(date);
        expect(r.value.coordination).toBe(coordination);
        expect(formatPersonnummer(r.value.canonical)).toBe(r.value.display);
        const sep = ageOn(r.value, TODAY) >= 100 ? '+' : '-';
        expect(canonical(`${ten.slice(0, 6)}${sep}${ten.slice(6)}`)).toBe(full);
        if (sep === '-') expect(canonical(ten)).toBe(full);
        expect(canonical(`${full.slice(0, 8)}-${full.slice(8)}`)).toBe(full);
      }),
    );
  });
});

describe('formatPersonnummer and ageOn', () => {
  it('formats the canonical form', () => {
    expect(formatPersonnummer('191212121212')).toBe('19121212-1212');
    for (const bad of ['19121212-1212', '1212121212', '', 'x'.repeat(12)]) {
      expect(() => formatPersonnummer(bad)).toThrow(DomainContractError);
    }
  });

  it('computes age in completed years', () => {
    expect(ageOn({ birthDate: '2000-02-29' }, '2001-02-28')).toBe(0);
    expect(ageOn({ birthDate: '2000-02-29' }, '2001-03-01')).toBe(1);
    expect(() => ageOn({ birthDate: '2000-02-30' }, '2001-03-01')).toThrow(DomainContractError);
  });
});

describe('personnummerSchema', () => {
  const Patient = z.object({ personnummer: personnummerSchema });

  it('outputs the canonical 12 digits', () => {
    expect(Patient.parse({ personnummer: ' 121212-1212 ' })).toEqual({ personnummer: '201212121212' });
  });

  it('fails with the precise message and code on the field', () => {
    const r = Patient.safeParse({ personnummer: '19121212-1213' });
    expect(r.success).toBe(false);
    if (r.success) return;
    const issue = r.error.issues[0];
    expect(issue?.path).toEqual(['personnummer']);
    expect(issue?.message).toMatch(/check digit/);
    expect(Patient.safeParse({ personnummer: 1212 }).success).toBe(false);
  });
});
