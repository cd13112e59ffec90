import { z } from 'zod';
import { DomainContractError, err, ok, type DomainError, type Result } from './result';

/**
 * Calendar dates are 'YYYY-MM-DD' strings. Due dates and birth dates are days, not instants, so
 * the arithmetic below is on day numbers (proleptic Gregorian) and never touches a JS Date or a
 * time zone; only todayIn() asks Intl which day it is somewhere.
 */
export type CalendarDate = string;

export type DateErrorCode = 'invalid_date';
export type DateError = DomainError<DateErrorCode>;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  assertInteger(year, 'year');
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  assertInteger(month, 'month');
  if (month < 1 || month > 12) throw new DomainContractError('invalid_month', `month must be 1–12, got ${month}.`, 'month');
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True for a real calendar day written as YYYY-MM-DD (years 0001–9999). */
export function isValidDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string') return false;
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export function parseDate(value: unknown, field = 'date'): Result<CalendarDate, DateError> {
  if (isValidDate(value)) return ok(value);
  return err({ code: 'invalid_date', message: `${field} must be a real calendar date written YYYY-MM-DD, got ${JSON.stringify(value)}.`, field });
}

/** zod schema for a calendar date field. */
export const dateSchema = z.string().refine(isValidDate, { message: 'must be a real calendar date written YYYY-MM-DD' });

function parts(date: CalendarDate, field: string): [number, number, number] {
  if (!isValidDate(date)) {
    throw new DomainContractError('invalid_date', `${field} must be a real calendar date written YYYY-MM-DD, got ${JSON.stringify(date)}.`, field);
  }
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function assertInteger(n: unknown, field: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new DomainContractError('invalid_number', `${field} must be a whole number, got ${String(n)}.`, field);
  }
}

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
function toDayNumber(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function fromDayNumber(z0: number): CalendarDate {
  const z1 = z0 + 719468;
  const era = Math.floor(z1 / 146097);
  const doe = z1 - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return formatParts(y, m, d);
}

function formatParts(y: number, m: number, d: number): CalendarDate {
  if (y < 1 || y > 9999) throw new DomainContractError('out_of_range', `The date falls outside years 0001–9999 (year ${y}).`);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const [y, m, d] = parts(date, 'date');
  assertInteger(days, 'days');
  return fromDayNumber(toDayNumber(y, m, d) + days);
}

/** Adds calendar months, clamping to the month's end: 2024-01-31 + 1 month = 2024-02-29. */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const [y, m, d] = parts(date, 'date');
  assertInteger(months, 'months');
  const index = y * 12 + (m - 1) + months;
  const ny = Math.floor(index / 12);
  const nm = index - ny * 12 + 1;
  return formatParts(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  const [y1, m1, d1] = parts(from, 'from');
  const [y2, m2, d2] = parts(to, 'to');
  return toDayNumber(y2, m2, d2) - toDayNumber(y1, m1, d1);
}

export function compareDates(a: CalendarDate, b: CalendarDate): -1 | 0 | 1 {
  parts(a, 'a');
  parts(b, 'b');
  // Valid YYYY-MM-DD strings sort lexicographically in calendar order.
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Completed years from `birthDate` to `date`. Someone born on 29 February becomes a year older
 * on 1 March in common years (the birthday has not been reached on 28 February).
 */
export function yearsBetween(birthDate: CalendarDate, date: CalendarDate): number {
  const [y1, m1, d1] = parts(birthDate, 'birthDate');
  const [y2, m2, d2] = parts(date, 'date');
  const beforeBirthday = m2 < m1 || (m2 === m1 && d2 < d1);
  return y2 - y1 - (beforeBirthday ? 1 : 0);
}

// Building an Intl.DateTimeFormat costs far more than formatting with one (it loads the zone's
// rules), and every personnummer check asks for today: keep one formatter per zone. Zones are a
// handful of IANA names, so the cache stays tiny; an unknown zone is not cached and throws each time.
const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  const cached = dayFormatters.get(timeZone);
  if (cached) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', calendar: 'gregory', numberingSystem: 'latn' });
  } catch (_e) {
    throw new DomainContractError('invalid_time_zone', `Unknown time zone "${String(timeZone)}"; use an IANA name like Europe/Stockholm.`, 'timeZone');
  }
  dayFormatters.set(timeZone, formatter);
  return formatter;
}

/** The calendar day it is now in `timeZone` (Stockholm by default, whatever the machine's zone). */
export function todayIn(timeZone = 'Europe/Stockholm', now: Date = new Date()): CalendarDate {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new DomainContractError('invalid_now', 'now must be a valid Date.', 'now');
  }
  // Every zone's offset is whole seconds, so the day cannot change within one second: a batch of
  // personnummer checks asks Intl once (formatToParts was ~2 % of the sync server's push CPU).
  const second = Math.floor(now.getTime() / 1000);
  const last = lastDays.get(timeZone);
  if (last?.second === second) return last.day;
  const found = dayFormatter(timeZone).formatToParts(now);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(found.find((p) => p.type === type)?.value);
  const day = formatParts(get('year'), get('month'), get('day'));
  lastDays.set(timeZone, { second, day });
  return day;
}

const lastDays = new Map<string, { second: number; day: CalendarDate }>();
