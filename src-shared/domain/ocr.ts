import { isLuhnValid, luhnCheckDigit } from './luhn';
import { err, ok, type DomainError, type Result } from './result';

/**
 * OCR payment references (integrations.md §5): the last digit is Luhn over everything before it;
 * an optional length digit (second to last) is the total length including both control digits,
 * mod 10, and takes part in the Luhn sum. 2–25 digits in all.
 */
export type OcrErrorCode = 'empty' | 'format' | 'length' | 'checksum' | 'length_digit';
export type OcrError = DomainError<OcrErrorCode>;

export const OCR_MIN_LENGTH = 2;
export const OCR_MAX_LENGTH = 25;

const ocrError = (code: OcrErrorCode, message: string): OcrError => ({ code, message, field: 'ocr' });

export function makeOcr(base: string, opts: { lengthDigit: boolean }): Result<string, OcrError> {
  if (typeof base !== 'string' || base === '') return err(ocrError('empty', 'The OCR base number is empty.'));
  if (!/^\d+$/.test(base)) return err(ocrError('format', `The OCR base "${base}" must contain digits only.`));
  const withLength = opts?.lengthDigit === true;
  const total = base.length + (withLength ? 2 : 1);
  if (total > OCR_MAX_LENGTH) {
    return err(ocrError('length', `An OCR number has at most ${OCR_MAX_LENGTH} digits; base "${base}" would give ${total}.`));
  }
  const payload = withLength ? base + String(total % 10) : base;
  return ok(payload + String(luhnCheckDigit(payload)));
}

/**
 * Checks an OCR reference a person or a bank file gave us; spaces are ignored. `lengthDigit`:
 * 'required' also checks the length digit. 'forbidden' and 'auto' (the default) check only the
 * Luhn digit: a length digit cannot be told apart from an ordinary digit (one in ten references
 * without one would "have" one by chance), so without knowing the series' rule there is nothing
 * more to verify.
 */
export function validateOcr(ocr: string, opts: { lengthDigit?: 'required' | 'forbidden' | 'auto' } = {}): Result<string, OcrError> {
  if (typeof ocr !== 'string') return err(ocrError('format', 'The OCR number must be text.'));
  const digits = ocr.replace(/\s+/g, '');
  if (digits === '') return err(ocrError('empty', 'Enter the OCR number.'));
  if (!/^\d+$/.test(digits)) return err(ocrError('format', `The OCR number "${ocr.trim()}" must contain digits only.`));
  const mode = opts?.lengthDigit ?? 'auto';
  const min = mode === 'required' ? 3 : OCR_MIN_LENGTH;
  if (digits.length < min || digits.length > OCR_MAX_LENGTH) {
    return err(ocrError('length', `An OCR number has ${min}–${OCR_MAX_LENGTH} digits; "${digits}" has ${digits.length}.`));
  }
  if (!isLuhnValid(digits)) return err(ocrError('checksum', `The OCR number "${digits}" has a wrong check digit; check it for a typing error.`));
  if (mode === 'required' && Number(digits.at(-2)) !== digits.length % 10) {
    return err(ocrError('length_digit', `The OCR number "${digits}" has ${digits.length} digits, so its second-to-last digit (length digit) must be ${digits.length % 10}.`));
  }
  return ok(digits);
}
