import { z } from 'zod';
import { compareDates, daysInMonth, isValidDate, todayIn, yearsBetween, type CalendarDate } from './dates';
import { isLuhnValid } from './luhn';
import { DomainContractError, err, ok, type DomainError, type Result } from './result';

/**
 * Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer,
 * day + 60), integrations.md §5. The canonical stored form is 12 digits YYYYMMDDNNNC; the 10-digit
 * forms lose the century, which is recovered from the separator and today's date.
 */
export interface Personnummer {
  /** 12 digits, YYYYMMDDNNNC; a coordination number keeps its day + 60. */
  canonical: string;
  /** The real birth date (day − 60 for a coordination number). */
  birthDate: CalendarDate;
  coordination: boolean;
  sex: 'female' | 'male';
  /** YYYYMMDD-NNNN */
  display: string;
}

export type PersonnummerErrorCode = 'empty' | 'format' | 'invalid_date' | 'serial_000' | 'checksum' | 'future_date';
export type PersonnummerError = DomainError<PersonnummerErrorCode>;

const pnError = (code: PersonnummerErrorCode, message: string): PersonnummerError => ({ code, message, field: 'personnummer' });

const SHORT_RE = /^(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$/;
const LONG_RE = /^(\d{4})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$/;

/**
 * Century for a 10-digit number. Without '+' (or with '-') the person is under 100 and not born in
 * the future: the latest year ending in YY whose MM-DD is not after today. With '+' the person is
 * 100 or older: that year minus 100. Compared as (month, day) tuples so an impossible date such as
 * 29 February still gets a century and can then be reported as an invalid date for that year.
 */
function resolveYear(yy: number, month: number, day: number, plus: boolean, today: CalendarDate): number {
  const [ty, tm, td] = [Number(today.slice(0, 4)), Number(today.slice(5, 7)), Number(today.slice(8, 10))];
  let year = Math.floor(ty / 100) * 100 + yy;
  const afterToday = year > ty || (year === ty && (month > tm || (month === tm && day > td)));
  if (afterToday) year -= 100;
  return plus ? year - 100 : year;
}

/**
 * Parses YYMMDD-NNNC, YYMMDD+NNNC (aged 100 or more), YYMMDDNNNC, YYYYMMDDNNNC and YYYYMMDD-NNNC,
 * with surrounding whitespace. `today` (YYYY-MM-DD, default: today in Stockholm) decides the
 * century of 10-digit forms and what "in the future" means.
 */
export function parsePersonnummer(input: string, today: CalendarDate = todayIn()): Result<Personnummer, PersonnummerError> {
  if (!isValidDate(today)) {
    throw new DomainContractError('invalid_date', `today must be a real calendar date written YYYY-MM-DD, got ${JSON.stringify(today)}.`, 'today');
  }
  if (typeof input !== 'string') return err(pnError('format', 'A personnummer must be text.'));
  const s = input.trim();
  if (s === '') return err(pnError('empty', 'Enter a personnummer.'));

  let year: number;
  let month: number;
  let dayField: number;
  let serial: string;
  let check: string;
  const short = SHORT_RE.exec(s);
  const long = short ? null : LONG_RE.exec(s);
  if (short) {
    const [, yy = '', mm = '', dd = '', sep = '', nnn = '', c = ''] = short;
    month = Number(mm);
    dayField = Number(dd);
    const realDay = dayField > 60 ? dayField - 60 : dayField;
    year = resolveYear(Number(yy), month, realDay, sep === '+', today);
    serial = nnn;
    check = c;
  } else if (long) {
    const [, yyyy = '', mm = '', dd = '', sep = '', nnn = '', c = ''] = long;
    if (sep === '+') {
      return err(pnError('format', "The '+' separator (aged 100 or more) is only used with the 10-digit form YYMMDD+NNNC; with a 4-digit year write YYYYMMDD-NNNC."));
    }
    year = Number(yyyy);
    month = Number(mm);
    dayField = Number(dd);
    serial = nnn;
    check = c;
  } else {
    return err(pnError('format', `"${s}" is not a personnummer; write YYYYMMDD-NNNN or YYMMDD-NNNN (10 or 12 digits).`));
  }

  const coordination = dayField > 60;
  const realDay = coordination ? dayField - 60 : dayField;
  if (year < 1 || month < 1 || month > 12 || realDay < 1 || realDay > daysInMonth(year, month)) {
    const what = coordination ? `coordination number day ${dayField} (day ${realDay} + 60)` : `day ${dayField}`;
    return err(pnError('invalid_date', `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')} has no ${what}: the birth date is not a real date.`));
  }
  if (serial === '000') return err(pnError('serial_000', 'The birth number (the three digits after the date) cannot be 000.'));

  const yyyymmdd = `${String(year).padStart(4, '0')}${String(month).padStart(2, '0')}${String(dayField).padStart(2, '0')}`;
  if (!isLuhnValid(yyyymmdd.slice(2) + serial + check)) {
    return err(pnError('checksum', 'The last digit (check digit) does not match; check the number for a typing error.'));
  }
  const birthDate = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${String(realDay).padStart(2, '0')}`;
  if (compareDates(birthDate, today) > 0) {
    return err(pnError('future_date', `The birth date ${birthDate} is in the future.`));
  }
  const canonical = yyyymmdd + serial + check;
  return ok({
    canonical,
    birthDate,
    coordination,
    sex: Number(serial[2]) % 2 === 1 ? 'male' : 'female',
    display: `${yyyymmdd}-${serial}${check}`,
  });
}

/** Age in completed years on `date` (YYYY-MM-DD). */
export function ageOn(p: Pick<Personnummer, 'birthDate'>, date: CalendarDate): number {
  return yearsBetween(p.birthDate, date);
}

/** YYYYMMDD-NNNN from the canonical 12 digits. */
export function formatPersonnummer(canonical: string): string {
  if (typeof canonical !== 'string' || !/^\d{12}$/.test(canonical)) {
    throw new DomainContractError('format', `A canonical personnummer is 12 digits, got ${JSON.stringify(canonical)}.`, 'personnummer');
  }
  return `${canonical.slice(0, 8)}-${canonical.slice(8)}`;
}

/**
 * For use inside other zod schemas: accepts any supported written form and outputs the canonical
 * 12 digits, or fails with the precise message (and the code in `params.code`).
 */
export const personnummerSchema = z.string().transform((value, ctx) => {
  const parsed = parsePersonnummer(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.error.message, input: value, params: { code: parsed.error.code } });
    return z.NEVER;
  }
  return parsed.value.canonical;
});
