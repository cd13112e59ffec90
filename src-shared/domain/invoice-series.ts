import { z } from 'zod';
import { makeOcr } from './ocr';
import { DomainContractError, err, ok, type DomainError, type Result } from './result';

/**
 * Invoice number series. Swedish VAT law requires unique, sequential invoice numbers but allows
 * several series, so each desk device owns one and can issue offline without asking anyone. The
 * functions here are pure; the store allocates the next number inside the same DB transaction
 * that writes the invoice, which is what makes the series gap-free.
 */
export const SERIES_PREFIX_RE = /^[A-Z0-9]{1,8}$/;
export const INVOICE_NUMBER_DIGITS = 6;

export const invoiceSeriesSchema = z.object({
  seriesId: z.string().min(1, 'must not be empty'),
  prefix: z.string().regex(SERIES_PREFIX_RE, 'must be 1–8 characters A–Z or 0–9'),
  lastNumber: z.number().int().min(0).safe(),
});
export type InvoiceSeries = z.infer<typeof invoiceSeriesSchema>;

export type InvoiceSeriesErrorCode = 'format' | 'invalid_prefix' | 'invalid_number' | 'invalid_code';
export type InvoiceSeriesError = DomainError<InvoiceSeriesErrorCode>;

function assertSeries(series: InvoiceSeries): void {
  const parsed = invoiceSeriesSchema.safeParse(series);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'series';
    throw new DomainContractError('invalid_series', `Invalid invoice series: ${field}: ${issue?.message ?? 'invalid'}.`, field);
  }
}

export function formatInvoiceNumber(prefix: string, number: number): string {
  if (typeof prefix !== 'string' || !SERIES_PREFIX_RE.test(prefix)) {
    throw new DomainContractError('invalid_prefix', `The series prefix must be 1–8 characters A–Z or 0–9, got ${JSON.stringify(prefix)}.`, 'prefix');
  }
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new DomainContractError('invalid_number', `An invoice number is a whole number from 1, got ${String(number)}.`, 'number');
  }
  return `${prefix}-${String(number).padStart(INVOICE_NUMBER_DIGITS, '0')}`;
}

/**
 * The number after `series.lastNumber`, and the series advanced past it. Numbers beyond 999999
 * simply get a seventh digit (padding is a minimum), so a series never runs out or wraps.
 */
export function nextInvoiceNumber(series: InvoiceSeries): { series: InvoiceSeries; number: number; invoiceNumber: string } {
  assertSeries(series);
  const number = series.lastNumber + 1;
  if (!Number.isSafeInteger(number)) throw new DomainContractError('invalid_series', 'The invoice series is exhausted.', 'lastNumber');
  return { series: { ...series, lastNumber: number }, number, invoiceNumber: formatInvoiceNumber(series.prefix, number) };
}

/** "K1-000042" → { prefix: 'K1', number: 42 }. Only the canonical written form is accepted. */
export function parseInvoiceNumber(s: string): Result<{ prefix: string; number: number }, InvoiceSeriesError> {
  if (typeof s !== 'string') return err({ code: 'format', message: 'An invoice number must be text.', field: 'invoiceNumber' });
  const m = /^([^-]*)-(\d+)$/.exec(s.trim());
  if (!m) return err({ code: 'format', message: `"${s}" is not an invoice number; expected PREFIX-000123.`, field: 'invoiceNumber' });
  const [, prefix = '', digits = ''] = m;
  if (!SERIES_PREFIX_RE.test(prefix)) {
    return err({ code: 'invalid_prefix', message: `The series prefix "${prefix}" must be 1–8 characters A–Z or 0–9.`, field: 'invoiceNumber' });
  }
  const number = Number(digits);
  if (!Number.isSafeInteger(number) || number < 1 || digits !== String(number).padStart(INVOICE_NUMBER_DIGITS, '0')) {
    return err({ code: 'invalid_number', message: `"${digits}" is not a valid invoice sequence number (at least 6 digits, starting at 000001).`, field: 'invoiceNumber' });
  }
  return ok({ prefix, number });
}

export const INVOICE_OCR_NUMBER_DIGITS = 7;
export const INVOICE_OCR_MAX_CODE = 99_999;

/**
 * OCR reference for an invoice, with length digit: `${code}${number padded to 7}` + length digit
 * + Luhn digit. The number has a fixed width and the code has no leading zero, so different
 * (code, number) pairs always give different references, and the reference never starts with 0.
 * `prefixNumericCode` is a per-series number (1–99999) the store assigns alongside the prefix.
 */
export function ocrForInvoice(prefixNumericCode: number, number: number): Result<string, InvoiceSeriesError> {
  if (!Number.isSafeInteger(prefixNumericCode) || prefixNumericCode < 1 || prefixNumericCode > INVOICE_OCR_MAX_CODE) {
    return err({ code: 'invalid_code', message: `The series' numeric code must be a whole number from 1 to ${INVOICE_OCR_MAX_CODE}, got ${String(prefixNumericCode)}.`, field: 'prefixNumericCode' });
  }
  const max = 10 ** INVOICE_OCR_NUMBER_DIGITS - 1;
  if (!Number.isSafeInteger(number) || number < 1 || number > max) {
    return err({ code: 'invalid_number', message: `The invoice number must be a whole number from 1 to ${max}, got ${String(number)}.`, field: 'number' });
  }
  const built = makeOcr(`${prefixNumericCode}${String(number).padStart(INVOICE_OCR_NUMBER_DIGITS, '0')}`, { lengthDigit: true });
  // The inputs above bound the base to 8–12 digits, so makeOcr cannot fail here.
  if (!built.ok) throw new DomainContractError(built.error.code, built.error.message);
  return ok(built.value);
}

/** Inverse of ocrForInvoice, for matching an incoming payment to its invoice. */
export function parseInvoiceOcr(ocr: string): Result<{ prefixNumericCode: number; number: number }, InvoiceSeriesError> {
  const digits = typeof ocr === 'string' ? ocr.replace(/\s+/g, '') : '';
  const m = /^([1-9]\d{0,4})(\d{7})\d\d$/.exec(digits);
  if (!m) return err({ code: 'format', message: `"${String(ocr)}" is not an invoice OCR reference issued by Kassa.`, field: 'ocr' });
  const prefixNumericCode = Number(m[1]);
  const number = Number(m[2]);
  const rebuilt = ocrForInvoice(prefixNumericCode, number);
  if (!rebuilt.ok || rebuilt.value !== digits) {
    return err({ code: 'format', message: `"${digits}" has wrong control digits for a Kassa invoice reference.`, field: 'ocr' });
  }
  return ok({ prefixNumericCode, number });
}
