import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addDays,
  addMonths,
  compareDates,
  dateSchema,
  daysBetween,
  daysInMonth,
  isLeapYear,
  isValidDate,
  parseDate,
  todayIn,
  yearsBetween,
} from '../../../src-shared/domain/dates';
import { DomainContractError } from '../../../src-shared/domain/result';

const dateArb = fc
  .date({ min: new Date('1800-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('calendar dates', () => {
  it('recognises real dates only', () => {
    for (const ok of ['2024-02-29', '2000-02-29', '2025-12-31', '0001-01-01', '9999-12-31']) expect(isValidDate(ok)).toBe(true);
    for (const bad of ['2023-02-29', '1900-02-29', '2025-13-01', '2025-00-10', '2025-04-31', '2025-1-01', '20250101', '', '0000-01-01', ' 2025-01-01', null, 20250101]) {
      expect(isValidDate(bad)).toBe(false);
    }
    expect(isLeapYear(2000)).toBe(true);
    expect(isLeapYear(1900)).toBe(false);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2025, 4)).toBe(30);
  });

  it('parseDate and dateSchema return typed errors', () => {
    expect(parseDate('2025-01-01')).toEqual({ ok: true, value: '2025-01-01' });
    const r = parseDate('2025-02-30', 'dueDate');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'invalid_date', field: 'dueDate' });
    expect(dateSchema.safeParse('2025-02-28').success).toBe(true);
    expect(dateSchema.safeParse('2025-02-29').success).toBe(false);
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(addDays('2025-03-30', 14)).toBe('2025-04-13');
    expect(addDays('2025-03-30', 0)).toBe('2025-03-30');
  });

  it('adds months clamping to the month end', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2025-01-31', 3)).toBe('2025-04-30');
    expect(addMonths('2025-11-15', 2)).toBe('2026-01-15');
    expect(addMonths('2025-03-31', -1)).toBe('2025-02-28');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2025-01-15', -13)).toBe('2023-12-15');
  });

  it('counts and compares days', () => {
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(daysBetween('2025-01-01', '2024-01-01')).toBe(-366);
    expect(daysBetween('1970-01-01', '2000-03-01')).toBe(11017);
    expect(compareDates('2025-01-02', '2025-01-10')).toBe(-1);
    expect(compareDates('2025-01-10', '2025-01-10')).toBe(0);
    expect(compareDates('2025-10-01', '2025-09-30')).toBe(1);
  });

  it('counts completed years, with 29 February birthdays on 1 March', () => {
    expect(yearsBetween('2000-02-29', '2001-02-28')).toBe(0);
    expect(yearsBetween('2000-02-29', '2001-03-01')).toBe(1);
    expect(yearsBetween('2000-02-29', '2004-02-29')).toBe(4);
    expect(yearsBetween('1990-06-15', '2025-06-14')).toBe(34);
    expect(yearsBetween('1990-06-15', '2025-06-15')).toBe(35);
  });

  it('knows which day it is in Stockholm whatever the machine zone', () => {
    expect(todayIn('Europe/Stockholm', new Date('2024-12-31T23:30:00Z'))).toBe('2025-01-01');
    expect(todayIn('Europe/Stockholm', new Date('2025-06-30T21:59:59Z'))).toBe('2025-06-30');
    expect(todayIn('Europe/Stockholm', new Date('2025-06-30T22:00:00Z'))).toBe('2025-07-01');
    expect(todayIn('UTC', new Date('2024-12-31T23:30:00Z'))).toBe('2024-12-31');
    expect(todayIn('America/New_York', new Date('2025-01-01T03:00:00Z'))).toBe('2024-12-31');
    expect(isValidDate(todayIn())).toBe(true);
  });

  it('answers the same second from memory but never across a midnight, in any zone', () => {
    // Consecutive calls, as a batch of personnummer checks makes them: the last millisecond of a
    // Stockholm day, then the first of the next, then back in the same second as the first.
    expect(todayIn('Europe/Stockholm', new Date('2025-06-30T21:59:59.001Z'))).toBe('2025-06-30');
    expect(todayIn('Europe/Stockholm', new Date('2025-06-30T21:59:59.999Z'))).toBe('2025-06-30');
    expect(todayIn('Europe/Stockholm', new Date('2025-06-30T22:00:00.000Z'))).toBe('2025-07-01');
    expect(todayIn('UTC', new Date('2025-06-30T22:00:00.500Z'))).toBe('2025-06-30');
    expect(todayIn('Europe/Stockholm', new Date('2025-06-30T22:00:00.999Z'))).toBe('2025-07-01');
    // Kathmandu is UTC+05:45: its midnight is not on an hour of UTC.
    expect(todayIn('Asia/Kathmandu', new Date('2025-06-30T18:14:59.999Z'))).toBe('2025-06-30');
    expect(todayIn('Asia/Kathmandu', new Date('2025-06-30T18:15:00.000Z'))).toBe('2025-07-01');
  });

  it('rejects bad input with typed errors', () => {
    const cases: [() => unknown, string][] = [
      [() => addDays('2025-02-30', 1), 'invalid_date'],
      [() => addDays('2025-02-01', 1.5), 'invalid_number'],
      [() => addMonths('nope', 1), 'invalid_date'],
      [() => addMonths('2025-01-01', Number.NaN), 'invalid_number'],
      [() => daysBetween('2025-01-01', '2025-1-1'), 'invalid_date'],
      [() => compareDates('x', '2025-01-01'), 'invalid_date'],
      [() => yearsBetween('2025-01-01', ''), 'invalid_date'],
      [() => addDays('9999-12-31', 1), 'out_of_range'],
      [() => todayIn('Mars/Olympus'), 'invalid_time_zone'],
      [() => todayIn('Europe/Stockholm', new Date(Number.NaN)), 'invalid_now'],
      [() => daysInMonth(2025, 13), 'invalid_month'],
      [() => daysInMonth(2025, 1.5), 'invalid_number'],
      [() => isLeapYear(2024.5), 'invalid_number'],
    ];
    for (const [call, code] of cases) {
      try {
        call();
        expect.unreachable(`expected ${code}`);
      } catch (e) {
        expect(e).toBeInstanceOf(DomainContractError);
        expect((e as DomainContractError).code).toBe(code);
      }
    }
  });

  it('property: addDays agrees with UTC Date arithmetic and daysBetween inverts it', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -40000, max: 40000 }), (date, n) => {
        const expected = new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
        expect(addDays(date, n)).toBe(expected);
        expect(daysBetween(date, addDays(date, n))).toBe(n);
      }),
    );
  });

  it('property: addMonths lands in the right month on a valid day, never later than the source day', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -600, max: 600 }), (date, n) => {
        const out = addMonths(date, n);
        expect(isValidDate(out)).toBe(true);
        const monthsIndex = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7));
        expect(monthsIndex(out) - monthsIndex(date)).toBe(n);
        expect(Number(out.slice(8))).toBeLessThanOrEqual(Number(date.slice(8)));
      }),
    );
  });
});
