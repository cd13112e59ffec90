import { isLuhnValid } from './luhn';
import { err, ok, type DomainError, type Result } from './result';

/** Bankgiro numbers: 7–8 digits, the last a Luhn digit over the whole, shown NNN-NNNN / NNNN-NNNN. */
export type BankgiroErrorCode = 'empty' | 'format' | 'length' | 'checksum';
export type BankgiroError = DomainError<BankgiroErrorCode>;

const bgError = (code: BankgiroErrorCode, message: string): BankgiroError => ({ code, message, field: 'bankgiro' });

export function parseBankgiro(input: string): Result<{ digits: string; display: string }, BankgiroError> {
  if (typeof input !== 'string') return err(bgError('format', 'The bankgiro number must be text.'));
  const s = input.trim();
  if (s === '') return err(bgError('empty', 'Enter the bankgiro number.'));
  if (!/^(\d+|\d{3,4}-\d{4})$/.test(s.replace(/\s+/g, ''))) {
    return err(bgError('format', `"${s}" is not a bankgiro number; write e.g. 5050-1055.`));
  }
  const digits = s.replace(/[\s-]/g, '');
  if (digits.length < 7 || digits.length > 8) {
    return err(bgError('length', `A bankgiro number has 7 or 8 digits; "${s}" has ${digits.length}.`));
  }
  if (!isLuhnValid(digits)) return err(bgError('checksum', `The bankgiro number "${s}" has a wrong check digit.`));
  return ok({ digits, display: `${digits.slice(0, -4)}-${digits.slice(-4)}` });
}
