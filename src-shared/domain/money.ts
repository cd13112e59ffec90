import { z } from 'zod';
import { VatCode } from '../schemas/enums';
import { divRoundHalfUp, isSafeInt, mulDivRoundHalfUp, toSafeNumber } from './integer';
import { DomainContractError, err, ok, type DomainError, type Result } from './result';

/**
 * Money is an integer number of öre everywhere inside Kassa. SEK with decimals exists only in text
 * typed by people (parseSek / formatSek) and at provider boundaries (toProviderAmount /
 * fromProviderAmount). All arithmetic here is integer or string arithmetic: a float never decides
 * an öre.
 */
export type Ore = number;
export const oreSchema = z.number().int().safe();

export type MoneyErrorCode =
  | 'empty'
  | 'format'
  | 'grouping'
  | 'too_many_decimals'
  | 'out_of_range'
  | 'invalid_type'
  | 'not_integer'
  | 'negative'
  | 'invalid_quantity'
  | 'invalid_discount';
export type MoneyError = DomainError<MoneyErrorCode>;

const moneyError = (code: MoneyErrorCode, message: string, field?: string): MoneyError =>
  field === undefined ? { code, message } : { code, message, field };

// Thousands separators people and Intl use: space, NBSP, narrow NBSP (Intl's sv-SE), thin space.
const GROUP_SEPARATORS = /[ \u00A0\u202F\u2009]/g;
const MINUS_SIGNS = /^[-\u2212]/; // Intl emits U+2212 for negative sv-SE amounts

/** Builds öre from validated digit strings; the only place a decimal becomes an integer. */
function oreFromDigits(negative: boolean, intDigits: string, fracDigits: string): Result<Ore, MoneyError> {
  const digits = (intDigits + fracDigits.padEnd(2, '0')).replace(/^0+(?=\d)/, '');
  const value = toSafeNumber(BigInt(digits));
  if (value === undefined) {
    return err(moneyError('out_of_range', 'The amount is too large to be handled exactly.'));
  }
  return ok(negative && value !== 0 ? -value : value);
}

/**
 * Parses an amount a person typed: "1 234,50", "1234,5", "1 234,50 kr", "1234.50", "-12,00",
 * with space, NBSP or thin-space thousands separators. More than two decimals is an error rather
 * than a silent rounding, because the person probably meant something else.
 */
export function parseSek(text: string): Result<Ore, MoneyError> {
  if (typeof text !== 'string') return err(moneyError('invalid_type', 'The amount must be text.'));
  let s = text.trim();
  if (s === '') return err(moneyError('empty', 'Enter an amount.'));

  s = s.replace(/^sek\s*/i, '').replace(/\s*(kr\.?|sek)$/i, '').trim();
  let negative = false;
  if (MINUS_SIGNS.test(s)) {
    negative = true;
    s = s.slice(1).trim();
  } else if (s.startsWith('+')) {
    s = s.slice(1).trim();
  }
  if (s === '') return err(moneyError('format', `"${text.trim()}" has no digits.`));

  const separators = s.match(/[.,]/g) ?? [];
  if (separators.length > 1) {
    return err(moneyError('format', `"${text.trim()}" has more than one decimal separator; write e.g. 1 234,50.`));
  }
  const [intRaw = '', fracRaw] = s.split(/[.,]/);
  if (fracRaw !== undefined && !/^\d+$/.test(fracRaw)) {
    return err(moneyError('format', `"${text.trim()}" must have digits after the decimal separator.`));
  }
  if (/^\d+$/.test(intRaw)) {
    // plain digits
  } else if (/^\d{1,3}([ \u00A0\u202F\u2009]\d{3})+$/.test(intRaw)) {
    // correctly grouped thousands
  } else if (/^[\d \u00A0\u202F\u2009]+$/.test(intRaw) && /\d/.test(intRaw)) {
    return err(moneyError('grouping', `"${text.trim()}" has misplaced thousands separators; group digits by three, e.g. 1 234 567,00.`));
  } else {
    return err(moneyError('format', `"${text.trim()}" is not an amount; write e.g. 1 234,50.`));
  }
  const frac = fracRaw ?? '';
  if (frac.length > 2) {
    return err(moneyError('too_many_decimals', `"${text.trim()}" has ${frac.length} decimals; an amount has at most 2 (öre).`));
  }
  return oreFromDigits(negative, intRaw.replace(GROUP_SEPARATORS, ''), frac);
}

/** Exact decimal string "-1234.50" of an öre amount, without going through a float. */
function decimalString(ore: Ore): `${number}` {
  const abs = String(Math.abs(ore)).padStart(3, '0');
  const sign = ore < 0 ? '-' : '';
  return `${sign}${abs.slice(0, -2)}.${abs.slice(-2)}` as `${number}`;
}

function assertOre(ore: unknown, field = 'amount'): asserts ore is Ore {
  if (!isSafeInt(ore)) {
    throw new DomainContractError('not_integer', `${field} must be a whole number of öre (a safe integer), got ${String(ore)}.`, field);
  }
}

const formatters = {
  sv: new Intl.NumberFormat('sv-SE', { style: 'currency', currency: 'SEK' }),
  en: new Intl.NumberFormat('en-SE', { style: 'currency', currency: 'SEK' }),
};

/** "1 234,50 kr" (sv, with the NBSP characters Intl emits) or the en-SE equivalent. */
export function formatSek(ore: Ore, language: 'sv' | 'en' = 'sv'): string {
  assertOre(ore);
  const formatter = formatters[language];
  if (formatter === undefined) {
    throw new DomainContractError('invalid_language', `Unknown language "${String(language)}"; use 'sv' or 'en'.`, 'language');
  }
  // Intl formats a decimal string exactly, so even amounts near 2^53 öre keep their öre.
  return formatter.format(decimalString(ore === 0 ? 0 : ore));
}

/** The provider wire format: "1234.50", "-12.00". */
export function toProviderAmount(ore: Ore): string {
  assertOre(ore);
  return decimalString(ore);
}

/**
 * Lenient parse of an amount a provider sent: a JSON number (1234.5) or a string with '.' or ','
 * ("1234.50", "1234,5"). Extra trailing zero decimals ("12.3400") are exact and accepted; a
 * genuine third decimal is not, because it cannot be represented in öre.
 */
export function fromProviderAmount(value: unknown): Result<Ore, MoneyError> {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return err(moneyError('format', `The provider amount ${String(value)} is not a finite number.`));
    if (Math.abs(value) >= 1e21) return err(moneyError('out_of_range', `The provider amount ${String(value)} is too large.`));
    // String() gives the shortest text that round-trips, i.e. what the JSON said.
    text = String(value);
    if (/e-/i.test(text)) return err(moneyError('too_many_decimals', `The provider amount ${text} has more than 2 decimals.`));
  } else if (typeof value === 'string') {
    text = value.trim();
    if (text === '') return err(moneyError('empty', 'The provider amount is empty.'));
  } else {
    return err(moneyError('invalid_type', `The provider amount must be a number or a string, got ${value === null ? 'null' : typeof value}.`));
  }
  const m = /^([+-]?)(\d+)(?:[.,](\d+))?$/.exec(text);
  if (!m) return err(moneyError('format', `The provider amount "${text}" is not a decimal number.`));
  const [, sign = '', intDigits = '', fracAll = ''] = m;
  const frac = fracAll.replace(/0+$/, '');
  if (frac.length > 2) return err(moneyError('too_many_decimals', `The provider amount "${text}" has more than 2 decimals.`));
  return oreFromDigits(sign === '-', intDigits, frac);
}

export const VAT_RATE_PERCENT: Record<VatCode, number> = { exempt: 0, se25: 25, se12: 12, se6: 6 };

function assertVatCode(code: unknown): asserts code is VatCode {
  if (typeof code !== 'string' || !Object.hasOwn(VAT_RATE_PERCENT, code)) {
    throw new DomainContractError('invalid_vat_code', `Unknown VAT code "${String(code)}"; expected one of ${VatCode.options.join(', ')}.`, 'vatCode');
  }
}

/**
 * VAT contained in a VAT-inclusive consumer price: gross × rate / (100 + rate), rounded half up to
 * the öre in exact integer arithmetic. Symmetric for negative amounts (credits).
 */
export function vatOfGross(gross: Ore, code: VatCode): Ore {
  assertOre(gross, 'gross');
  assertVatCode(code);
  const rate = VAT_RATE_PERCENT[code];
  // |VAT| ≤ |gross|, so the result is always a safe integer.
  return mulDivRoundHalfUp(gross, rate, 100 + rate)!;
}

export interface LineAmountInput {
  unitPrice: Ore;
  quantity: number;
  /** Discount in basis points: 0 = none, 10000 = free. */
  discountBp: number;
}

const lineTooLarge = () => err(moneyError('out_of_range', 'The line amount is too large to be handled exactly.'));

/** unitPrice × quantity less the discount, the discount rounded half up to the öre. */
export function lineAmount(input: LineAmountInput): Result<Ore, MoneyError> {
  const { unitPrice, quantity, discountBp } = input ?? ({} as LineAmountInput);
  if (!isSafeInt(unitPrice)) return err(moneyError('not_integer', `The unit price must be a whole number of öre, got ${String(unitPrice)}.`, 'unitPrice'));
  if (unitPrice < 0) return err(moneyError('negative', 'The unit price cannot be negative; use a credit for refunds.', 'unitPrice'));
  if (!isSafeInt(quantity) || quantity < 1) {
    return err(moneyError('invalid_quantity', `The quantity must be a whole number of at least 1, got ${String(quantity)}.`, 'quantity'));
  }
  if (!isSafeInt(discountBp) || discountBp < 0 || discountBp > 10_000) {
    return err(moneyError('invalid_discount', `The discount must be whole basis points from 0 to 10000 (0–100 %), got ${String(discountBp)}.`, 'discountBp'));
  }
  // A product beyond 2^53 is not a safe integer as a double either, so the number path is exact.
  const gross = unitPrice * quantity;
  if (Number.isSafeInteger(gross)) {
    const discount = mulDivRoundHalfUp(gross, discountBp, 10_000);
    return discount === undefined ? lineTooLarge() : ok(gross - discount);
  }
  const big = BigInt(unitPrice) * BigInt(quantity);
  const amount = toSafeNumber(big - divRoundHalfUp(big * BigInt(discountBp), 10_000n));
  return amount === undefined ? lineTooLarge() : ok(amount);
}

export interface VatAmounts {
  gross: Ore;
  vat: Ore;
  net: Ore;
}
export interface VatSummaryRow extends VatAmounts {
  vatCode: VatCode;
  ratePercent: number;
}
export interface VatSummary {
  /** One row per VAT code present, highest rate first, exempt last (invoice order). */
  rows: VatSummaryRow[];
  total: VatAmounts;
}

const SUMMARY_ORDER: VatCode[] = ['se25', 'se12', 'se6', 'exempt'];

/**
 * Amount per VAT rate, as an invoice must show it. VAT is computed on each rate's summed gross,
 * not per line, so the invoice's VAT is the VAT of its amounts (no accumulated line rounding).
 */
export function vatSummary(lines: readonly { gross: Ore; vatCode: VatCode }[]): VatSummary {
  if (!Array.isArray(lines)) throw new DomainContractError('invalid_lines', 'vatSummary needs an array of lines.', 'lines');
  // Sums stay numbers while they are safe integers (each sum of two safe integers is then exact).
  const grossByCode = new Map<VatCode, number | bigint>();
  lines.forEach((line, i) => {
    assertOre(line?.gross, `lines.${i}.gross`);
    assertVatCode(line.vatCode);
    const before = grossByCode.get(line.vatCode) ?? 0;
    const sum = typeof before === 'number' ? before + line.gross : null;
    grossByCode.set(line.vatCode, sum !== null && Number.isSafeInteger(sum) ? sum : BigInt(before) + BigInt(line.gross));
  });
  const rows: VatSummaryRow[] = [];
  const total: VatAmounts = { gross: 0, vat: 0, net: 0 };
  for (const vatCode of SUMMARY_ORDER) {
    const sum = grossByCode.get(vatCode);
    if (sum === undefined) continue;
    const gross = typeof sum === 'number' ? sum : toSafeNumber(sum);
    if (gross === undefined) throw new DomainContractError('out_of_range', 'The invoice total is too large to be handled exactly.', 'lines');
    const vat = vatOfGross(gross, vatCode);
    rows.push({ vatCode, ratePercent: VAT_RATE_PERCENT[vatCode], gross, vat, net: gross - vat });
    total.gross += gross;
    total.vat += vat;
    total.net += gross - vat;
  }
  if (!Number.isSafeInteger(total.gross)) throw new DomainContractError('out_of_range', 'The invoice total is too large to be handled exactly.', 'lines');
  return { rows, total };
}

/**
 * Splits `total` in proportion to `weights` by the largest-remainder method; the parts always sum
 * to exactly `total` (partial credits over invoice lines, fees over installments). Integer weights
 * (e.g. öre amounts) are split in exact arithmetic; ties go to the earlier weight.
 */
export function allocate(total: Ore, weights: number[]): Ore[] {
  assertOre(total, 'total');
  if (!Array.isArray(weights) || weights.length === 0) {
    throw new DomainContractError('invalid_weights', 'allocate needs at least one weight.', 'weights');
  }
  weights.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new DomainContractError('invalid_weights', `Weight ${i} must be a finite number ≥ 0, got ${String(w)}.`, `weights.${i}`);
    }
  });
  const sign = total < 0 ? -1 : 1;
  const amount = Math.abs(total);

  let floors: number[];
  let remainders: number[];
  if (weights.every((w) => Number.isSafeInteger(w))) {
    const big = weights.map(BigInt);
    const sum = big.reduce((a, b) => a + b, 0n);
    if (sum === 0n) throw new DomainContractError('invalid_weights', 'At least one weight must be positive.', 'weights');
    floors = big.map((w) => Number((BigInt(amount) * w) / sum));
    // Compare remainders exactly by keeping them as fractions of the same denominator.
    const rems = big.map((w) => (BigInt(amount) * w) % sum);
    const order = rems.map((r, i) => ({ r, i })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
    remainders = new Array<number>(weights.length).fill(0);
    order.forEach(({ i }, rank) => (remainders[i] = weights.length - rank));
  } else {
    const sum = weights.reduce((a, b) => a + b, 0);
    if (!(sum > 0) || !Number.isFinite(sum)) throw new DomainContractError('invalid_weights', 'At least one weight must be positive and the sum finite.', 'weights');
    const exact = weights.map((w) => (amount * w) / sum);
    floors = exact.map((x) => Math.floor(x));
    remainders = exact.map((x, i) => x - (floors[i] ?? 0));
  }
  let left = amount - floors.reduce((a, b) => a + b, 0);
  const byRemainder = remainders.map((r, i) => ({ r, i })).sort((a, b) => (a.r === b.r ? a.i - b.i : b.r - a.r));
  const parts = [...floors];
  // Float shares can leave left outside [0, n) by rounding; cycle so the sum is still exact.
  for (let k = 0; left !== 0; k = (k + 1) % byRemainder.length) {
    const idx = byRemainder[k]?.i ?? 0;
    const step = left > 0 ? 1 : -1;
    if (step < 0 && (parts[idx] ?? 0) === 0) continue;
    parts[idx] = (parts[idx] ?? 0) + step;
    left -= step;
  }
  return parts.map((p) => (p === 0 ? 0 : sign * p));
}
